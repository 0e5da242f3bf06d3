// The form renderer in the page's language. ODK Web Forms 0.22 ships its buttons and dialogs
// in English only, so the host supplies the words (backend/web/webforms_vi.py, sent in the
// page config): every text node and title/aria-label/placeholder inside the form whose text
// is exactly an English string of Web Forms is shown in Vietnamese instead. The form's own
// questions are never touched (they are not in the list; their language comes from the
// XForm's translations, see formXmlInLanguage).

const ATTRIBUTES = ["title", "aria-label", "placeholder"];

export function translator(translation) {
  const strings = new Map(Object.entries(translation.strings));
  const patterns = translation.patterns.map(([re, out]) => [new RegExp(re), out]);
  return (text) => {
    const core = text.trim();
    if (!core) return null;
    const exact = strings.get(core);
    if (exact !== undefined) return text.replace(core, exact);
    for (const [re, out] of patterns) {
      if (re.test(core)) return text.replace(core, core.replace(re, out));
    }
    return null;
  };
}

/** Keep every English UI text under `root` translated, now and whenever Vue re-renders. */
export function localise(root, translation) {
  const translate = translator(translation);
  const fixText = (node) => {
    const out = translate(node.nodeValue);
    if (out !== null && out !== node.nodeValue) node.nodeValue = out;
  };
  const fixElement = (el) => {
    for (const name of ATTRIBUTES) {
      const value = el.getAttribute(name);
      if (value === null) continue;
      const out = translate(value);
      if (out !== null && out !== value) el.setAttribute(name, out);
    }
  };
  const walk = (node) => {
    if (node.nodeType === Node.TEXT_NODE) return fixText(node);
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    fixElement(node);
    const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (n.nodeType === Node.TEXT_NODE) fixText(n);
      else fixElement(n);
    }
  };
  walk(root);
  const observer = new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === "characterData") fixText(r.target);
      else if (r.type === "attributes") fixElement(r.target);
      else r.addedNodes.forEach(walk);
    }
  });
  // Dialogs (the location dialog) are teleported to <body>, so watch the whole body.
  observer.observe(root.ownerDocument.body, {
    subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ATTRIBUTES,
  });
  return observer;
}

/** PrimeVue (the date picker inside Web Forms) reads its words from config.locale. */
export function primeVueLocale(app, locale) {
  const primevue = app.config.globalProperties.$primevue;
  if (!primevue || !primevue.config) return;
  const current = primevue.config.locale || {};
  primevue.config.locale = { ...current, ...locale, aria: { ...(current.aria || {}), ...(locale.aria || {}) } };
}

/** The XForm with the translation in `language` ("vi", "en") marked default, so Web Forms
 * opens in the page's language: one switch (the site's) drives the page and the form. */
export function formXmlInLanguage(xml, language) {
  const doc = new DOMParser().parseFromString(xml, "text/xml");
  if (doc.getElementsByTagName("parsererror").length) return xml;
  const translations = Array.from(doc.getElementsByTagNameNS("*", "translation"));
  const wanted = translations.find((t) => (t.getAttribute("lang") || "").includes(`(${language})`));
  if (!wanted) return xml;
  for (const t of translations) t.removeAttribute("default");
  wanted.setAttribute("default", "true()");
  return new XMLSerializer().serializeToString(doc);
}
