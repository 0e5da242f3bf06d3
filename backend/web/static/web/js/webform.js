// The web form: ODK Web Forms (Vue) renders our XForm; its multipart submission goes
// into the outbox first, then is sent, so a dropped network never loses it.
import { createApp, h } from "vue";
import { OdkWebForm, POST_SUBMIT__NEW_INSTANCE, webFormsPlugin } from "@getodk/web-forms";
import * as outbox from "./outbox.js";
import { config, refreshQueue, sendWaiting } from "./volunteer.js";
import { takeLocationPanel } from "./webform_geo.js";
import { formXmlInLanguage, localise, primeVueLocale } from "./webform_i18n.js";

const t = config.strings;
const status = document.getElementById("submit-status");

function say(text, kind) {
  status.textContent = text;
  status.className = `submit-status ${kind}`;
  status.hidden = false;
}

// jr://images/x.png, jr://file/ap.csv, jr://file-csv/ap.csv → our form media URL.
// An entity list (jr://file-csv/households.csv) is at the same URL: the server answers it from
// the household register (the hamlet's households, as Collect gets it). The service worker
// precaches it and refreshes it whenever the phone is online, so the list works offline too.
async function fetchFormAttachment(url) {
  const name = decodeURIComponent(String(url).split("/").pop());
  let response;
  try {
    response = await fetch(config.attachmentPrefix + encodeURIComponent(name));
  } catch (error) {
    if (!entityList(name)) throw error;
    response = undefined;
  }
  if (entityList(name) && (!response || !response.ok)) {
    // No list yet (never online, or nothing registered): the form still opens, and the
    // household is added as a new one.
    console.warn("entity list unavailable", name, response && response.status);
    return new Response(ENTITY_LIST_EMPTY, { headers: { "Content-Type": "text/csv" } });
  }
  if (!response.ok || !name.toLowerCase().endsWith(".csv")) return response;
  return new Response(csvWithXmlNames(await response.text()), { headers: { "Content-Type": "text/csv" } });
}

const ENTITY_LIST_EMPTY = "name,label,__version\n";

function entityList(name) {
  return (config.entityLists || []).includes(name);
}

// Web Forms turns every CSV column into an XML element; Collect's translated columns
// ("label::Tiếng Việt (vi)") are not XML names and make it fail to load the form. The
// XForm reads the plain "label" column, so those columns are dropped here (Collect, which
// reads them, gets the file unchanged from the manifest).
const XML_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function csvRows(text) {
  const rows = [];
  let row = [], cell = "", quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { row.push(cell); cell = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(cell); rows.push(row); row = []; cell = "";
    } else cell += c;
  }
  if (cell !== "" || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

function csvWithXmlNames(text) {
  const rows = csvRows(text.replace(/^\uFEFF/, ""));
  if (!rows.length) return text;
  const keep = rows[0].map((h, i) => (XML_NAME.test(h.trim()) ? i : -1)).filter((i) => i >= 0);
  if (keep.length === rows[0].length) return text;
  const quote = (v) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return rows.map((r) => keep.map((i) => quote(r[i] ?? "")).join(",")).join("\n") + "\n";
}

async function editInstance() {
  if (!config.editXmlUrl) return undefined;
  const response = await fetch(config.editXmlUrl, { credentials: "omit" });
  if (!response.ok) throw new Error(`${response.status}`);
  const info = await response.json();
  return {
    resolveInstance: () => info.xml,
    attachmentFileNames: info.attachments.map((a) => a.name),
    resolveAttachment: (name) => fetch(info.attachments.find((a) => a.name === name).url),
  };
}

async function onSubmit(payload, callback) {
  const formData = payload.data[0];
  const id = await outbox.enqueue({ prefix: config.prefix, submissionUrl: config.submissionUrl, formId: config.formId, formData });
  await refreshQueue();
  callback({ next: POST_SUBMIT__NEW_INSTANCE });
  window.scrollTo(0, 0);
  if (!navigator.onLine) { say(t.queued, "queued"); return; }
  say(t.sending, "sending");
  const results = await sendWaiting();
  const mine = results.find((r) => r.record.id === id);
  // The server's OpenRosa message is English ("full submission upload was successful!"):
  // the volunteer reads ours.
  if (mine && mine.sent) say(t.sent, "sent");
  else if (mine && mine.status) say(`${t.refused} ${mine.status} ${mine.message}`, "refused");
  else say(t.queued, "queued");
}

async function main() {
  let formXml;
  try {
    const response = await fetch(config.formXmlUrl, { credentials: "omit" });
    if (!response.ok) throw new Error(String(response.status));
    formXml = await response.text();
  } catch (error) {
    say(t.load_failed, "refused");
    return;
  }
  const props = { formXml: formXmlInLanguage(formXml, config.language), fetchFormAttachment, onSubmit };
  const edit = await editInstance().catch(() => undefined);
  if (edit) props.editInstance = edit;
  const app = createApp({ render: () => h(OdkWebForm, props) });
  app.use(webFormsPlugin);
  if (config.webForms) {
    primeVueLocale(app, config.webForms.primevue);
    localise(document.getElementById("odk-form"), config.webForms);
  }
  const root = document.getElementById("odk-form");
  root.classList.toggle("no-tiles", !config.mapTiles);
  app.mount(root);
  if (edit) whenFormShown(() => takeLocationPanel(root, document.getElementById("geo-fix"), t));
}

// Web Forms loads the form asynchronously after mounting; wait until its questions are drawn.
function whenFormShown(then) {
  const started = Date.now();
  const timer = setInterval(() => {
    const drawn = document.querySelector("#odk-form .question-container, #odk-form input, #odk-form textarea");
    if (drawn || Date.now() - started > 30000) {
      clearInterval(timer);
      if (drawn) then();
    }
  }, 200);
}

main();
