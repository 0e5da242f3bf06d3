// The leadership dashboard, drawn from the analytics API only (no figure is computed here):
// plan targets from /scorecard, trend from /indicators?hamlet=commune, the choropleth from
// /hamlets.geojson, the scorecard with the pilot hamlets first.
(function () {
  const config = JSON.parse(document.getElementById("dashboard-config").textContent);
  const t = config.strings;
  const vi = config.language !== "en";
  const status = document.getElementById("dashboard-status");
  const fmt = (v, digits = 1) => (v === null || v === undefined ? "—"
    : Number(v).toLocaleString(vi ? "vi-VN" : "en-GB", { maximumFractionDigits: digits }));
  const label = (row) => (vi ? row.label_vi : row.label_en || row.label_vi);
  const el = (tag, text, cls) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; };

  async function getJson(path) {
    let response = await fetch(config.api + path, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    // 503 + Retry-After: the very first computation of a big database is running; wait for it.
    while (response.status === 503 && response.headers.get("Retry-After")) {
      status.textContent = t.computing;
      await new Promise((done) => setTimeout(done, Number(response.headers.get("Retry-After")) * 1000));
      response = await fetch(config.api + path, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    }
    if (status.textContent === t.computing) status.textContent = "";
    if (!response.ok) throw new Error(`${path}: ${response.status}`);
    if (response.headers.get("X-Results-Stale") === "true") status.textContent = t.stale;
    return response.json();
  }

  function metCell(row) {
    const td = el("td");
    if (row.met === null || row.met === undefined) { td.append(el("span", t.no_data, "muted")); return td; }
    td.append(el("span", row.met ? t.met : t.not_met, `state state-${row.met ? "met" : "not-met"}`));
    return td;
  }

  // Every value carries its n; a value from fewer than the minimum sample is not shown as a figure.
  function valueCell(row) {
    const td = el("td", "", "num value");
    if (row.suppressed) td.append(el("span", t.suppressed, "figure"));
    else if (row.too_few) { td.append(el("span", t.too_few, "figure too-few")); td.dataset.tooFew = "true"; }
    else td.append(el("span", fmt(row.value), "figure"));
    if (row.n !== null && row.n !== undefined) td.append(el("div", `n = ${row.n}`, "muted note n"));
    return td;
  }

  // On a phone a wide table becomes one card per row (site.css, table.stack): each cell
  // keeps its column's name, taken from the table's own header.
  function labelCells(tr, table) {
    const heads = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
    [...tr.children].forEach((td, i) => { if (heads[i]) td.dataset.label = heads[i]; });
  }

  function drawTargets(targets) {
    for (const table of document.querySelectorAll("table.targets")) {
      const year = Number(table.dataset.year);
      const body = table.querySelector("tbody");
      body.replaceChildren();
      for (const row of targets.filter((r) => Number(r.target_year) === year)) {
        const tr = el("tr");
        tr.dataset.indicator = row.indicator;
        const name = el("td", label(row));
        const value = valueCell(row);
        // The interval only means something when coverage is partial (it collapses to the value otherwise).
        const partial = !row.too_few && row.ci_low !== null && row.ci_low !== undefined && row.ci_low !== row.ci_high;
        const interval = el("td", partial ? `${fmt(row.ci_low)}–${fmt(row.ci_high)}` : "—", "num");
        // Strict targets ("> 70") are not met at exactly 70: the operator is part of the target.
        const op = row.target_op === ">" ? ">" : "≥";
        const target = el("td", row.target === null || row.target === undefined ? "—" : `${op} ${fmt(row.target)}`, "num target");
        const verdict = metCell(row);
        const reason = vi ? row.reason : row.reason_en;
        if (reason) verdict.append(el("div", reason, "muted note"));
        tr.append(name, value, interval, target, verdict);
        labelCells(tr, table);
        body.append(tr);
      }
      if (!body.children.length) body.append(Object.assign(el("tr"), { innerHTML: `<td colspan="5" class="muted">${t.no_data}</td>` }));
    }
  }

  function drawScorecard(card) {
    document.getElementById("scorecard-rule").textContent = vi ? card.rule.vi : card.rule.en;
    const body = document.querySelector("#scorecard tbody");
    body.replaceChildren();
    // In the server's order (analytics.scorecard: the pilot hamlets first, then by code).
    for (const h of card.hamlets) {
      const tr = el("tr");
      tr.dataset.hamlet = h.hamlet;
      const name = el("td", h.name || h.hamlet);
      if (h.pilot) name.append(" ", el("span", t.pilot, "tag"));
      const result = el("td");
      // A verdict resting on a hidden small cell comes without counts (issue 17): show a dash.
      const state = h.suppressed ? "suppressed" : h.dat ? "met" : "not-met";
      result.append(el("span", vi ? h.status : h.status_en, `state state-${state}`));
      const failing = el("td");
      const byId = Object.fromEntries(h.criteria.map((c) => [c.criterion, c]));
      for (const id of h.failing) {
        const c = byId[id] || { criterion: id };
        // Compact chips (id, kind, value against threshold, gap); the full criterion text on hover.
        const line = el("span", "", `chip ${c.role === "BB" ? "chip-bb" : "chip-tc"}`);
        const kind = c.role === "BB" ? "BB" : "TC";
        let text = `${id} ${kind}`;
        // A criterion measured on fewer households than the minimum sample reads "too few",
        // not a value against its threshold (the rows' rule, analytics/sample.py).
        if (c.too_few) { text += `: ${t.too_few}`; line.dataset.tooFew = "true"; }
        else if (c.value !== null && c.value !== undefined && c.threshold !== null && c.threshold !== undefined) {
          const op = { ">=": "≥", ">": ">" }[c.op] ?? (c.op || "");
          text += `: ${fmt(c.value)} / ${op}${fmt(c.threshold)}`;
        }
        if (c.n !== null && c.n !== undefined) text += ` (n = ${c.n})`;
        // A gated criterion can fail with its value above the threshold ("thiếu 0" said
        // nothing): then the chip gives the reason in words instead of a gap of zero.
        const reason = vi ? c.reason : c.reason_en;
        const gap = !c.too_few && c.gap_pp !== null && c.gap_pp !== undefined && !(reason && Number(c.gap_pp) <= 0);
        if (gap) text += ` (${t.gap} ${fmt(c.gap_pp)})`;
        if (reason) { text += ` — ${reason}`; line.classList.add("chip-reason"); }
        line.textContent = text;
        line.title = `${label(c) || id} (${c.role === "BB" ? t.mandatory : t.optional})`;
        failing.append(line);
      }
      // Optional criteria: "5 of ≥3" met, not "5/3" (which read like a fraction).
      const optional = el("td", `${h.tc_met ?? "—"} ${t.of_at_least} ≥${h.tc_required}`, "num optional-met");
      tr.append(name, result, el("td", `${h.bb_met ?? "—"}/${h.bb_total}`, "num"), optional, failing);
      labelCells(tr, document.getElementById("scorecard"));
      body.append(tr);
    }
  }

  // Choropleth: five classes on the 0–100 scale for percentages, quantiles otherwise.
  const PALETTE = ["#f1eef6", "#bdc9e1", "#74a9cf", "#2b8cbe", "#045a8d"];
  let map, layer, legend, chart;
  const narrow = () => !window.matchMedia("(min-width: 600px)").matches;
  let legendOpen = !narrow();

  function classes(values) {
    const max = Math.max(...values, 0);
    if (max <= 100) return [20, 40, 60, 80];
    const sorted = [...values].sort((a, b) => a - b);
    return [0.2, 0.4, 0.6, 0.8].map((q) => sorted[Math.floor(q * (sorted.length - 1))]);
  }

  async function drawMap(indicator, round) {
    const geo = await getJson(`/hamlets.geojson?indicator=${encodeURIComponent(indicator)}&round=${encodeURIComponent(round)}`);
    if (!map) map = PhuLamMaps.create("choropleth", config);
    if (layer) layer.remove();
    if (legend) legend.remove();
    // A hamlet value from too few households is drawn as "no data", with the reason on hover.
    const valueOf = (p) => (p.too_few ? null : p.value);
    const values = geo.features.map((f) => valueOf(f.properties)).filter((v) => v !== null && v !== undefined);
    const breaks = classes(values);
    const color = (v) => (v === null || v === undefined ? "#d9d9d9" : PALETTE[breaks.filter((b) => v > b).length]);
    layer = L.geoJSON(geo, {
      filter: (f) => !!f.geometry,
      style: (f) => ({ color: "#333", weight: 1, fillColor: color(valueOf(f.properties)), fillOpacity: 0.85 }),
      onEachFeature: (f, l) => {
        const p = f.properties;
        const shown = p.suppressed ? t.suppressed : p.too_few ? t.too_few : fmt(p.value);
        const n = p.n === null || p.n === undefined ? "" : ` (n = ${p.n})`;
        l.bindTooltip(`${p.name || p.hamlet || p.code}: ${shown}${n}`, { sticky: true });
      },
    }).addTo(map);
    // Hamlet names on the map: a name that would overlap one already drawn waits until the
    // map is zoomed in far enough for both (PhuLamMaps.declutterLabels).
    layer.eachLayer((l) => {
      const p = l.feature.properties;
      L.marker(l.getBounds().getCenter(), { opacity: 0, interactive: false, keyboard: false })
        .bindTooltip(p.name || p.code, { permanent: true, direction: "center", className: "hamlet-label" })
        .addTo(layer);
    });
    PhuLamMaps.fit(map, [layer]);
    PhuLamMaps.declutterLabels(map, "choropleth");
    legend = L.control({ position: "bottomright" });
    legend.onAdd = () => {
      const div = L.DomUtil.create("div", "legend");
      const edges = [0, ...breaks];
      // Folded by default on a phone (it covered half of the map there); a tap opens it.
      PhuLamMaps.foldable(div, t.legend, legendOpen);
      div.addEventListener("toggle-legend", (e) => { legendOpen = e.detail; });
      div.append(el("div", geo.features[0] ? (vi ? geo.features[0].properties.label_vi : indicator) : indicator, "legend-title"));
      PALETTE.forEach((c, i) => {
        const row = el("div");
        const swatch = el("i"); swatch.style.background = c;
        row.append(swatch, i < PALETTE.length - 1 ? `${fmt(edges[i])} – ${fmt(edges[i + 1])}` : `> ${fmt(edges[i])}`);
        div.append(row);
      });
      const none = el("div"); const sw = el("i"); sw.style.background = "#d9d9d9"; none.append(sw, t.no_data); div.append(none);
      return div;
    };
    legend.addTo(map);
    document.getElementById("png-link").href = `${config.api}/maps/${encodeURIComponent(indicator)}.png?round=${encodeURIComponent(round)}`;
    document.getElementById("png-a4-link").href = `${config.api}/maps/${encodeURIComponent(indicator)}.png?round=${encodeURIComponent(round)}&size=a4`;
    // The periodic report and the publish button follow the chosen round (publication app).
    for (const format of ["docx", "pdf"]) {
      const link = document.getElementById(`report-${format}`);
      if (link) link.href = `${config.api}/reports/periodic.${format}?round=${encodeURIComponent(round)}`;
    }
    const publishRound = document.getElementById("publish-round");
    if (publishRound) { publishRound.value = round; document.getElementById("publish-round-label").textContent = round; }
  }

  // Rounds are points, not a line: nothing is known between two rounds. Each point has its
  // interval (a floating bar); a value from too few households is not plotted.
  function drawTrend(rows, indicator, catalogue) {
    const series = rows.filter((r) => r.indicator === indicator).sort((a, b) => a.round.localeCompare(b.round));
    const info = catalogue.find((c) => c.id === indicator) || {};
    const targetYears = Object.keys(info.targets || {});
    const shown = (r) => !r.suppressed && !r.too_few && r.value !== null && r.value !== undefined;
    const datasets = [
      // A phone's legend row cannot hold a long indicator name: there the id stands for it
      // (the select above names it in full).
      { type: "line", label: (narrow() ? indicator : label(info)) || indicator, data: series.map((r) => (shown(r) ? r.value : null)),
        borderColor: "#1b6e3a", backgroundColor: "#1b6e3a", showLine: false, pointRadius: 6, pointHoverRadius: 7 },
      { type: "bar", label: t.interval, data: series.map((r) => (shown(r) && r.ci_low !== null && r.ci_high !== null ? [r.ci_low, r.ci_high] : null)),
        backgroundColor: "rgba(27,110,58,0.18)", borderColor: "#1b6e3a", borderWidth: 1, barPercentage: 0.15 },
    ];
    for (const year of targetYears) {
      datasets.push({ type: "line", label: `${t.target} ${year}`, data: series.map(() => info.targets[year].value), borderColor: "#b3261e",
        borderDash: [6, 4], pointRadius: 0, fill: false });
    }
    if (chart) chart.destroy();
    chart = new Chart(document.getElementById("trend-chart"), {
      type: "line",
      data: { labels: series.map((r) => r.round), datasets },
      options: { responsive: true, maintainAspectRatio: false, animation: false,
        scales: { y: { beginAtZero: true } }, plugins: { legend: { position: "bottom" } } },
    });
    window.dashboardTrend = {
      labels: series.map((r) => r.round),
      values: series.map((r) => (shown(r) ? r.value : null)),
      intervals: series.map((r) => (shown(r) ? [r.ci_low, r.ci_high] : null)),
      n: series.map((r) => r.n),
      tooFew: series.map((r) => !!r.too_few),
      showLine: false,
    };
  }

  async function drawCoverage(round) {
    const coverage = await getJson(`/coverage?round=${encodeURIComponent(round)}`);
    document.getElementById("coverage-round").textContent = `(${t.round} ${coverage.round})`;
    document.getElementById("coverage-registered").textContent = coverage.registered;
    document.getElementById("coverage-surveyed").textContent = coverage.totals.surveyed;
    document.getElementById("coverage-refused").textContent = coverage.totals.refused;
    const body = document.querySelector("#coverage-table tbody");
    body.replaceChildren();
    for (const h of coverage.hamlets) {
      const tr = el("tr");
      tr.dataset.hamlet = h.hamlet;
      tr.append(el("td", h.name || h.hamlet), el("td", String(h.registered), "num"), el("td", String(h.surveyed), "num"),
        el("td", String(h.refused), "num"), el("td", h.percent === null ? "—" : fmt(h.percent), "num"));
      body.append(tr);
    }
    drawRegisterCoverage(coverage);
  }

  // The register's statuses per hamlet (the same /coverage reading as the hamlet page), with
  // a bar of the five statuses; hidden while the register is empty.
  const REGISTER_STATUSES = ["visited", "refused", "moved", "not_found", "not_visited"];
  function drawRegisterCoverage(coverage) {
    const box = document.getElementById("register-coverage");
    if (!box) return;
    box.hidden = !(coverage.register_totals && coverage.register_totals.households);
    const body = box.querySelector("tbody");
    body.replaceChildren();
    for (const h of coverage.hamlets) {
      const counts = h.register || {};
      const tr = el("tr");
      tr.dataset.hamlet = h.hamlet;
      tr.append(el("td", h.name || h.hamlet), el("td", String(counts.households || 0), "num"));
      for (const key of REGISTER_STATUSES) tr.append(el("td", String(counts[key] || 0), "num"));
      const bar = el("span", "", "status-bar");
      bar.setAttribute("role", "img");
      bar.setAttribute("aria-label", REGISTER_STATUSES.map((k) => `${k} ${counts[k] || 0}`).join(", "));
      for (const key of REGISTER_STATUSES) {
        if (!counts[key]) continue;
        const part = el("span", "", `status-${key}`);
        part.style.flexGrow = String(counts[key]);
        part.dataset.status = key;
        bar.append(part);
      }
      const cell = el("td");
      cell.append(bar);
      tr.append(cell);
      labelCells(tr, box.querySelector("table"));
      body.append(tr);
    }
  }

  // Leadership: edit the rounds' windows, and put submissions outside every round in one.
  function csrf() { const input = document.querySelector("#rounds-section input[name=csrfmiddlewaretoken]"); return input ? input.value : ""; }
  async function send(method, path, body) {
    const response = await fetch(config.api + path, { method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf() }, body: JSON.stringify(body) });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.message || `${path}: ${response.status}`);
    return data;
  }
  async function drawRounds() {
    const section = document.getElementById("rounds-section");
    if (!section) return;
    const note = document.getElementById("rounds-status");
    const rounds = await getJson("/survey-rounds");
    const body = section.querySelector("#rounds-table tbody");
    body.replaceChildren();
    const select = document.getElementById("assign-round");
    select.replaceChildren();
    for (const r of rounds) {
      select.append(new Option(r.name, r.name));
      const tr = el("tr");
      tr.dataset.round = r.name;
      const input = (type, name, value) => { const i = el("input"); i.type = type; i.name = name; i.value = value ?? ""; return i; };
      const start = input("date", "start", r.start), end = input("date", "end", r.end), year = input("number", "target_year", r.target_year);
      const save = el("button", "Lưu / Save", "btn secondary");
      save.type = "button";
      save.addEventListener("click", async () => {
        try {
          await send("PATCH", `/survey-rounds/${r.id}`, { start: start.value, end: end.value, target_year: year.value ? Number(year.value) : null });
          note.textContent = t.saved;
        } catch (error) { note.textContent = error.message; }
      });
      const cells = [el("td", r.name), el("td"), el("td"), el("td"), el("td")];
      cells[1].append(start); cells[2].append(end); cells[3].append(year); cells[4].append(save);
      tr.append(...cells);
      body.append(tr);
    }
    const page = await getJson("/survey-rounds/unassigned?limit=200");
    const list = section.querySelector("#unassigned-table tbody");
    list.replaceChildren();
    for (const s of page.results) {
      const tr = el("tr");
      tr.dataset.submission = s.id;
      const box = el("input"); box.type = "checkbox"; box.value = s.id;
      const pick = el("td"); pick.append(box);
      tr.append(pick, el("td", s.form_id), el("td", s.hamlet_code), el("td", s.survey_date || "—"), el("td", s.volunteer || "—"));
      list.append(tr);
    }
    if (!page.results.length) list.append(Object.assign(el("tr"), { innerHTML: `<td colspan="5" class="muted">${t.none_unassigned}</td>` }));
  }
  function wireAssign() {
    const button = document.getElementById("assign-button");
    if (!button) return;
    button.addEventListener("click", async () => {
      const ids = [...document.querySelectorAll("#unassigned-table input[type=checkbox]:checked")].map((b) => Number(b.value));
      const note = document.getElementById("rounds-status");
      try {
        await send("POST", "/survey-rounds/unassigned/assign", { round: document.getElementById("assign-round").value, submissions: ids });
        note.textContent = t.assigned;
        await drawRounds();
      } catch (error) { note.textContent = error.message; }
    });
  }

  // The first view is a plan target with a figure, not a yes/no criterion (whose commune
  // trend is a flat line at 0 or 100): the first target of the plan that is measured.
  function defaultIndicator(card, catalogue, withValues) {
    const kinds = Object.fromEntries(catalogue.map((c) => [c.id, c.kind]));
    const measured = card.commune_targets.filter((r) => withValues.has(r.indicator) && r.value !== null && r.value !== undefined);
    const yesNo = new Set(["binary", "dra_count"]);
    const pick = measured.find((r) => kinds[r.indicator] === "proportion")
      || measured.find((r) => !yesNo.has(kinds[r.indicator])) || measured[0];
    return pick ? pick.indicator : null;
  }

  async function main() {
    try {
      const [card, communeRows, catalogue] = await Promise.all([
        getJson("/scorecard"), getJson("/indicators?hamlet=commune"), getJson("/indicators/catalogue"),
      ]);
      document.getElementById("round-label").textContent = `(${t.round} ${card.round})`;
      drawTargets(card.commune_targets);
      drawScorecard(card);
      const indicatorSelect = document.getElementById("indicator-select");
      const roundSelect = document.getElementById("round-select");
      const withValues = new Set(communeRows.map((r) => r.indicator));
      for (const item of catalogue.filter((c) => withValues.has(c.id))) {
        indicatorSelect.append(new Option(`${item.id} – ${label(item)}`, item.id));
      }
      indicatorSelect.value = defaultIndicator(card, catalogue, withValues) || indicatorSelect.value;
      for (const round of [...new Set(communeRows.map((r) => r.round))].sort()) roundSelect.append(new Option(round, round));
      roundSelect.value = card.round;
      const redraw = () => {
        drawTrend(communeRows, indicatorSelect.value, catalogue);
        return Promise.all([drawMap(indicatorSelect.value, roundSelect.value), drawCoverage(roundSelect.value)])
          .catch((e) => { status.textContent = `${t.load_failed} ${e.message}`; });
      };
      indicatorSelect.addEventListener("change", redraw);
      roundSelect.addEventListener("change", redraw);
      await redraw();
      wireAssign();
      await drawRounds();
      document.body.dataset.dashboardReady = "true";
    } catch (error) {
      status.textContent = `${t.load_failed} ${error.message}`;
      document.body.dataset.dashboardReady = "error";
    }
  }
  main();
})();
