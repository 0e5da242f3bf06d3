// Shared Leaflet setup. No tile server by default (the commune's network is unreliable and
// the server may have no internet): hamlet polygons are the map. A deployment that has a
// tile server sets MAP_TILE_URL and it is drawn underneath.
window.PhuLamMaps = {
  create(elementId, data) {
    // maxZoom on the map itself: without a tile layer Leaflet has none, and clustering
    // (leaflet.markercluster) needs it to know when to stop grouping.
    const map = L.map(elementId, { zoomSnap: 0.25, preferCanvas: true, maxZoom: 19 });
    if (data.tileUrl) {
      L.tileLayer(data.tileUrl, { maxZoom: 19, attribution: data.tileAttribution || "" }).addTo(map);
    }
    return map;
  },
  labelHamlets(layer) {
    layer.eachLayer((l) => {
      const name = l.feature && l.feature.properties && l.feature.properties.name;
      if (name) l.bindTooltip(name, { permanent: true, direction: "center", className: "hamlet-label" });
    });
  },
  // Hamlet names that would overlap are hidden until the map is zoomed in enough to separate
  // them (on a phone the commune's names ran into each other). Labels are checked in order;
  // one overlapping an already shown label is hidden (class label-hidden, still in the DOM).
  declutterLabels(map, elementId) {
    const run = () => {
      const labels = [...document.querySelectorAll(`#${elementId} .hamlet-label`)];
      const shown = [];
      for (const label of labels) {
        label.classList.remove("label-hidden");
        const box = label.getBoundingClientRect();
        const hit = shown.some((b) => box.left < b.right + 2 && box.right + 2 > b.left && box.top < b.bottom && box.bottom > b.top);
        if (hit) label.classList.add("label-hidden");
        else shown.push(box);
      }
      map.getContainer().dataset.labelsShown = String(shown.length);
    };
    if (!map._declutter) { map._declutter = run; map.on("zoomend moveend resize", () => map._declutter()); }
    map._declutter = run;
    run();
  },
  // A legend that folds to one button (a phone's map is too small for an open legend).
  foldable(div, title, open) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "legend-toggle";
    button.textContent = title;
    button.setAttribute("aria-expanded", String(open));
    div.classList.toggle("folded", !open);
    button.addEventListener("click", (event) => {
      event.stopPropagation();
      const nowOpen = div.classList.toggle("folded") === false;
      button.setAttribute("aria-expanded", String(nowOpen));
      div.dispatchEvent(new CustomEvent("toggle-legend", { detail: nowOpen }));
    });
    L.DomEvent.disableClickPropagation(div);
    div.append(button);
  },
  fit(map, layers) {
    let bounds = null;
    for (const layer of layers) {
      if (!layer || !layer.getBounds) continue;
      const b = layer.getBounds();
      if (b.isValid()) bounds = bounds ? bounds.extend(b) : b;
    }
    if (bounds) map.fitBounds(bounds, { padding: [12, 12] });
    else map.setView([10.93, 106.82], 13);  // xã Phú Lâm, Đồng Nai
  },
};
