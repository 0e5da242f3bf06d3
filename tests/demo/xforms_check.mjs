// Re-check generated submissions with the real ODK engine (@getodk/xforms-engine, the engine
// of ODK Web Forms): load the form with its CSV attachments, restore each instance, and report
// the engine's own required/constraint violations and whether the payload is ready to submit.
//
//   node tests/demo/xforms_check.mjs job.json   → JSON lines on stdout, one per instance
//
// job.json: {"forms": [{"xform": path, "attachments": {"ap.csv": path},
//                        "instances": [{"path": path, "today": "YYYY-MM-DD"}]}]}
// The clock is set to each instance's own interview day, so `. <= today()` rules are judged
// as on that day (a 2027 round generated in 2026 is not "in the future").
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!doctype html><html><body></body></html>');
for (const key of ['DOMParser', 'XMLSerializer', 'Node', 'Document', 'Element', 'XMLDocument', 'document', 'NodeFilter', 'Text', 'Attr']) {
  if (!(key in globalThis)) globalThis[key] = dom.window[key];
}
const RealDate = Date;
let fakeNow = null;
class FakeDate extends RealDate {
  constructor(...args) { if (args.length === 0 && fakeNow !== null) { super(fakeNow); } else { super(...args); } }
  static now() { return fakeNow !== null ? fakeNow : RealDate.now(); }
}
globalThis.Date = FakeDate;

// The engine bundles tree-sitter's Emscripten loader, whose Node branch needs `fs` that the
// browser build stubs out; hide Node while the module evaluates so it takes the web branch
// (the WASM is inlined as a data: URL and instantiated from memory).
const realProcess = globalThis.process;
globalThis.window = dom.window;
Object.defineProperty(globalThis, 'process', { value: undefined, configurable: true, writable: true });
let loadForm;
try {
  ({ loadForm } = await import('@getodk/xforms-engine'));
} finally {
  Object.defineProperty(globalThis, 'process', { value: realProcess, configurable: true, writable: true });
}

const job = JSON.parse(readFileSync(process.argv[2], 'utf8'));
for (const form of job.forms) {
  const xml = readFileSync(form.xform, 'utf8');
  const attachments = form.attachments || {};
  const fetchFormAttachment = async (url) => {
    const name = basename(String(url));
    if (!(name in attachments)) return new Response('', { status: 404 });
    return new Response(readFileSync(attachments[name]), { status: 200, headers: { 'Content-Type': 'text/csv' } });
  };
  for (const item of form.instances) {
    fakeNow = new RealDate(`${item.today}T10:00:00+07:00`).getTime();
    const result = { path: item.path };
    try {
      const loaded = await loadForm(xml, { fetchFormAttachment });
      if (loaded.status === 'failure') throw loaded.error;
      const data = new FormData();
      data.append('xml_submission_file', new File([readFileSync(item.path)], 'xml_submission_file', { type: 'text/xml' }));
      const instance = await loaded.restoreInstance({ data: [data] });
      const root = instance.root;
      result.violations = root.validationState.violations.map((v) => ({
        ref: v.reference,
        condition: v.violation?.condition,
        message: v.violation?.message?.asString,
      }));
      const payload = await root.prepareInstancePayload();
      result.status = payload.status;
      result.valid = result.violations.length === 0 && payload.status === 'ready';
    } catch (error) {
      result.valid = false;
      result.error = String(error?.stack || error);
    }
    process.stdout.write(JSON.stringify(result) + '\n');
  }
}
