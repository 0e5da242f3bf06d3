// The outbox: finished submissions wait here (IndexedDB) until the server acknowledges them.
//
// A submission leaves the outbox only on 201 or 202: anything else (no network, a 5xx, a
// timeout) keeps it for the next try. A 4xx the server will keep refusing (400, 409, 413)
// is marked "refused" with the server's message, so the volunteer sees it instead of the
// phone retrying forever; they may discard it by hand. Sends are serialised by a Web Lock so
// two open tabs never send the same submission at the same time.

const DB_NAME = "phulam-outbox";
const STORE = "submissions";

function openDb() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => {
      const store = request.result.createObjectStore(STORE, { keyPath: "id", autoIncrement: true });
      store.createIndex("prefix", "prefix");
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function withStore(mode, work) {
  const db = await openDb();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const result = work(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

/** Keep a finished submission. `formData` is the OpenRosa multipart body from Web Forms. */
export async function enqueue({ prefix, submissionUrl, formId, formData }) {
  const parts = [];
  let instanceId = "";
  let label = "";
  for (const [name, value] of formData.entries()) {
    if (value instanceof Blob) {
      // Blobs are stored as-is: IndexedDB keeps binary photos without base64 bloat.
      parts.push({ name, blob: value, filename: value.name || name, type: value.type });
      if (name === "xml_submission_file") {
        const xml = await value.text();
        const match = xml.match(/<(?:\w+:)?instanceID>([^<]+)</);
        instanceId = match ? match[1] : "";
        // The form's instance_name ("AP01 01-0998"): what the volunteer recognises.
        const name = xml.match(/<(?:\w+:)?instanceName>([^<]*)</);
        label = name ? name[1].trim() : "";
      }
    } else {
      parts.push({ name, text: String(value) });
    }
  }
  const record = { prefix, submissionUrl, formId, instanceId, label, parts, createdAt: Date.now(), state: "waiting", message: "" };
  return withStore("readwrite", (store) => store.add(record));
}

export async function list(prefix) {
  const rows = await withStore("readonly", (store) => store.index("prefix").getAll(prefix));
  return rows || [];
}

export async function remove(id) {
  return withStore("readwrite", (store) => store.delete(id));
}

async function update(record) {
  return withStore("readwrite", (store) => store.put(record));
}

function bodyOf(record) {
  const body = new FormData();
  for (const part of record.parts) {
    if (part.blob) body.append(part.name, part.blob, part.filename);
    else body.append(part.name, part.text);
  }
  return body;
}

function openRosaMessage(text) {
  const match = text.match(/<message[^>]*>([\s\S]*?)<\/message>/);
  return (match ? match[1] : text).replace(/<[^>]+>/g, "").trim().slice(0, 500);
}

// Refusals that will not change on a retry. 401/403 (a revoked key) and 429 may.
const FINAL_REFUSALS = new Set([400, 409, 413, 415, 422]);

async function sendOne(record) {
  let response;
  try {
    response = await fetch(record.submissionUrl, {
      method: "POST",
      headers: { "X-OpenRosa-Version": "1.0" },
      body: bodyOf(record),
      credentials: "omit",
    });
  } catch (error) {
    return { sent: false, offline: true };
  }
  const text = await response.text().catch(() => "");
  if (response.status === 201 || response.status === 202) {
    await remove(record.id);
    return { sent: true, status: response.status, message: openRosaMessage(text) };
  }
  if (FINAL_REFUSALS.has(response.status)) {
    await update({ ...record, state: "refused", message: `${response.status}: ${openRosaMessage(text)}` });
  }
  return { sent: false, status: response.status, message: openRosaMessage(text) };
}

let flushing = null;

/** Send every waiting submission of this device, oldest first; stops at the first network failure. */
export function flush(prefix) {
  if (flushing) return flushing;
  const run = async () => {
    const results = [];
    for (const record of await list(prefix)) {
      if (record.state !== "waiting") continue;
      const result = await sendOne(record);
      results.push({ record, ...result });
      if (result.offline) break;
    }
    return results;
  };
  const locked = navigator.locks ? navigator.locks.request(`${DB_NAME}:${prefix}`, run) : run();
  flushing = locked.finally(() => { flushing = null; });
  return flushing;
}
