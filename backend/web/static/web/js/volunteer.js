// Shared by every volunteer page: service worker, network state, the outbox badge
// ("3 chờ gửi") and sending whatever waits whenever the network is back.
import * as outbox from "./outbox.js";

const config = JSON.parse(document.getElementById("page-config").textContent);
const t = config.strings;
export { config };

// "AP01 · 01-0998" from the form's instance name; the form id for an entry without one.
export function entryName(row) {
  const name = (row.label || "").replace(/&amp;/g, "&").replace(/&lt;/g, "<");
  return name ? name.replace(/\s+/, " · ") : t.unnamed.replace("{form}", row.formId);
}

// The phone's clock in Vietnam's time zone, written the Vietnamese way (14:05 04/12/2026).
const DATE_FORMAT = new Intl.DateTimeFormat(config.language === "en" ? "en-GB" : "vi-VN", {
  timeZone: "Asia/Ho_Chi_Minh", hour: "2-digit", minute: "2-digit", day: "2-digit", month: "2-digit", year: "numeric",
});
export function when(timestamp) {
  return DATE_FORMAT.format(new Date(timestamp));
}

export async function refreshQueue() {
  const rows = await outbox.list(config.prefix);
  const waiting = rows.filter((r) => r.state === "waiting").length;
  const badge = document.getElementById("queue-count");
  if (badge) {
    badge.textContent = waiting ? t.waiting.replace("{n}", waiting) : t.nothing_waiting;
    badge.dataset.count = String(waiting);
    badge.classList.toggle("has-waiting", waiting > 0);
  }
  const listEl = document.getElementById("queue-list");
  if (listEl) {
    listEl.replaceChildren(...rows.map((row) => {
      const li = document.createElement("li");
      li.className = `queue-item ${row.state}`;
      li.textContent = `${entryName(row)} · ${when(row.createdAt)}`;
      if (row.state === "refused") {
        const msg = document.createElement("div");
        msg.className = "queue-error";
        msg.textContent = `${t.refused} ${row.message}`;
        const drop = document.createElement("button");
        drop.type = "button";
        drop.textContent = t.discard;
        drop.addEventListener("click", async () => {
          if (confirm(t.confirm_discard)) { await outbox.remove(row.id); refreshQueue(); }
        });
        li.append(msg, drop);
      }
      return li;
    }));
  }
  return waiting;
}

export async function sendWaiting() {
  if (!navigator.onLine) return [];
  const results = await outbox.flush(config.prefix);
  await refreshQueue();
  return results;
}

function showNetwork() {
  const el = document.getElementById("net-state");
  if (el) {
    el.textContent = navigator.onLine ? t.online : t.offline;
    el.classList.toggle("offline", !navigator.onLine);
  }
}

window.addEventListener("online", () => { showNetwork(); sendWaiting(); });
window.addEventListener("offline", showNetwork);
showNetwork();
refreshQueue().then(sendWaiting);
// A phone that never fires "online" (flaky signal, not airplane mode) still retries.
setInterval(sendWaiting, 20000);

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register(config.swUrl, { scope: `${config.prefix}/app/` }).catch((e) => console.warn("service worker", e));
}
