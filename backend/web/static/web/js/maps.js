// Shared Leaflet setup. No tile server by default (the commune's network is unreliable and
// the server may have no internet): hamlet polygons are the map. A deployment that has a
// tile server sets MAP_TILE_URL and it is drawn underneath.
window.PhuLamMaps = {
  create(elementId, data) {
    const map = L.map(elementId, { zoomSnap: 0.25, preferCanvas: true });
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
