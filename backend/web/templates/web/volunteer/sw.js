// Service worker of a volunteer's pages (scope: /key/<token>/app/).
// Pages, form XML and media: network first, cache as fallback (a new form version wins
// as soon as the phone is online). Scripts and styles: cache first (their URLs are pinned
// to npm versions). Submissions are never cached or replayed here: the page's outbox
// (IndexedDB) owns them, so a submission has exactly one sender.
const CACHE = {{ cache_json|safe }};
const PRECACHE = {{ urls_json|safe }};

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // One missing file (a media not uploaded yet) must not keep the rest from being cached.
    await Promise.all(PRECACHE.map(async (url) => {
      try {
        const response = await fetch(url, { credentials: "same-origin" });
        if (response.ok) await cache.put(url, response);
      } catch (e) { /* offline during install: the next visit retries */ }
    }));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("phulam-") && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  // A page asks for URLs it just used (e.g. a media file) to be kept.
  if (event.data && event.data.type === "cache-urls") {
    event.waitUntil(caches.open(CACHE).then((cache) => Promise.all(
      event.data.urls.map((url) => fetch(url).then((r) => r.ok && cache.put(url, r)).catch(() => null)))));
  }
});

function isStatic(url) { return url.pathname.startsWith("/static/"); }

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.endsWith("/submission")) return;
  if (isStatic(url)) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request).then((response) => {
      if (response.ok) { const copy = response.clone(); caches.open(CACHE).then((c) => c.put(request, copy)); }
      return response;
    })));
    return;
  }
  event.respondWith((async () => {
    try {
      const response = await fetch(request);
      if (response.ok) {
        const copy = response.clone();
        caches.open(CACHE).then((c) => c.put(request, copy));
      }
      return response;
    } catch (error) {
      const hit = await caches.match(request, { ignoreVary: true });
      if (hit) return hit;
      throw error;
    }
  })());
});
