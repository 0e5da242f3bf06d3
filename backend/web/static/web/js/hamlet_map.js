// The hamlet head's map: their hamlet's boundary, each household as a point coloured by its
// review state; a point outside the declared hamlet gets a thick red ring so it stands out.
// The map opens on the hamlet's own boundary (not on every point: one wrong GPS fix 5 km away
// zoomed the whole hamlet down to a dot), and households close together are drawn as one
// numbered cluster (leaflet.markercluster) that splits as the map zooms in.
(function () {
  const data = JSON.parse(document.getElementById("map-data").textContent);
  const COLORS = { received: "#4a6fa5", has_issues: "#c77700", edited: "#6c4fa3", approved: "#1b6e3a", rejected: "#b3261e" };
  const map = PhuLamMaps.create("hamlet-map", data);
  const hamlets = L.geoJSON(data.hamlets, {
    filter: (f) => !!f.geometry,
    style: { color: "#124f29", weight: 2, fillColor: "#cfe6d6", fillOpacity: 0.35 },
  }).addTo(map);
  PhuLamMaps.labelHamlets(hamlets);
  const points = L.markerClusterGroup({
    showCoverageOnHover: false,
    maxClusterRadius: 40,
    // A cluster holding a point outside the hamlet says so with the same red ring.
    iconCreateFunction: (cluster) => {
      const children = cluster.getAllChildMarkers();
      const outside = children.some((m) => m.options.outside);
      const size = children.length < 10 ? "small" : children.length < 50 ? "medium" : "large";
      return L.divIcon({
        html: `<div><span>${children.length}</span></div>`,
        className: `marker-cluster marker-cluster-${size}${outside ? " cluster-outside" : ""}`,
        iconSize: L.point(40, 40),
      });
    },
  }).addTo(map);
  for (const p of data.points) {
    const marker = L.circleMarker([p.lat, p.lon], {
      radius: p.outside ? 9 : 6,
      color: p.outside ? "#b3261e" : "#ffffff",
      weight: p.outside ? 4 : 1.5,
      fillColor: COLORS[p.state] || "#555",
      fillOpacity: 0.95,
    });
    const popup = document.createElement("div");
    const title = document.createElement("b");
    title.textContent = p.name;
    const info = document.createElement("div");
    info.textContent = `${p.stateLabel} · ${p.volunteer} · ${p.date}`;
    popup.append(title, info);
    if (p.outside) {
      const warn = document.createElement("div");
      warn.className = "fail";
      warn.textContent = data.strings.outside;
      popup.append(warn);
    }
    const link = document.createElement("a");
    link.href = p.url;
    link.textContent = data.strings.open;
    popup.append(link);
    marker.bindPopup(popup);
    marker.options.instanceId = p.id;
    marker.options.outside = !!p.outside;
    marker.addTo(points);
  }
  PhuLamMaps.fit(map, hamlets.getLayers().length ? [hamlets] : [points]);
  PhuLamMaps.declutterLabels(map, "hamlet-map");
  window.hamletMap = { map, points, hamlets };

  const legend = L.control({ position: "bottomleft" });
  legend.onAdd = () => {
    const div = L.DomUtil.create("div", "legend");
    PhuLamMaps.foldable(div, data.strings.legend, window.matchMedia("(min-width: 600px)").matches);
    const body = L.DomUtil.create("div", "legend-body", div);
    const rows = Object.entries(COLORS).map(([state, color]) => {
      const label = (document.querySelector(`option[value="${state}"]`) || {}).textContent || state;
      return `<div><i style="background:${color}"></i>${label}</div>`;
    });
    rows.push(`<div><i style="background:#fff;border:3px solid #b3261e"></i>${data.strings.outside}</div>`);
    body.innerHTML = rows.join("");
    return div;
  };
  legend.addTo(map);

  const all = document.getElementById("select-all");
  if (all) all.addEventListener("change", () => {
    document.querySelectorAll('#submission-list input[name="instance"]').forEach((box) => { box.checked = all.checked; });
  });
})();
