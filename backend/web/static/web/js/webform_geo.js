// Taking a new location when a submission is corrected. In edit mode Web Forms 0.22 shows
// every geopoint as a map (OpenStreetMap tiles, which the page's CSP does not allow, and which
// need a network anyway), and after "Remove" it offers no way to take a point again. So in
// edit mode the page adds its own plain control above the form, one per geopoint question:
// the saved point and a "take my location" button that asks the phone's GPS and writes the
// answer into the form. It needs no tiles and works offline. Web Forms' map is hidden unless
// the server has a tile server configured (MAP_TILE_URL).

/** The geopoint questions (engine nodes) the form mounted on `container` shows, in order:
 * the components' own `question`/`node` props, found from the vnode Vue keeps on the
 * container (`app._instance` is only set in Vue's development build). */
export function geopointQuestions(container) {
  const found = [];
  const seen = new Set();
  const visit = (vnode) => {
    if (!vnode || typeof vnode !== "object") return;
    const props = vnode.component ? vnode.component.props : null;
    const question = props && (props.question || props.node);
    if (question && question.valueType === "geopoint" && !seen.has(question)) {
      seen.add(question);
      found.push(question);
    }
    if (vnode.component) visit(vnode.component.subTree);
    if (vnode.suspense) visit(vnode.suspense.activeBranch);
    if (Array.isArray(vnode.children)) vnode.children.forEach(visit);
  };
  visit(container._vnode);
  return found;
}

function describe(value, t) {
  if (!value || value.latitude == null) return t.no_location;
  const acc = value.accuracy != null ? ` (±${Math.round(value.accuracy)} m)` : "";
  return `${Number(value.latitude).toFixed(6)}, ${Number(value.longitude).toFixed(6)}${acc}`;
}

function position() {
  return new Promise((resolve, reject) => {
    if (!("geolocation" in navigator)) return reject(new Error("no geolocation"));
    navigator.geolocation.getCurrentPosition(resolve, reject, { enableHighAccuracy: true, timeout: 60000, maximumAge: 0 });
  });
}

/** The plain location panel for each geopoint question of the form being corrected. */
export function takeLocationPanel(container, host, t) {
  const questions = geopointQuestions(container);
  host.replaceChildren();
  for (const question of questions) {
    const box = document.createElement("div");
    box.className = "geo-fix";
    const label = document.createElement("strong");
    label.textContent = question.currentState.label ? question.currentState.label.asString : t.location;
    const value = document.createElement("p");
    value.className = "geo-fix-value";
    const show = () => { value.textContent = describe(question.currentState.value, t); };
    show();
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn geo-fix-take";
    button.textContent = t.take_location;
    const note = document.createElement("p");
    note.className = "geo-fix-note muted";
    note.setAttribute("role", "status");
    button.addEventListener("click", async () => {
      button.disabled = true;
      note.textContent = t.finding_location;
      try {
        const { coords } = await position();
        question.setValue({
          latitude: coords.latitude,
          longitude: coords.longitude,
          altitude: coords.altitude ?? 0,
          accuracy: coords.accuracy ?? 0,
        });
        note.textContent = t.location_taken;
      } catch (error) {
        note.textContent = t.location_failed;
      } finally {
        button.disabled = false;
        show();
      }
    });
    box.append(label, value, button, note);
    host.append(box);
  }
  host.hidden = questions.length === 0;
}
