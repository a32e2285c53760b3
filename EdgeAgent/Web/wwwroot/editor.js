// Calibration and zone editor: draw zones and doors on the floor plan, pair image points with floor points to fit a
// camera's homography, and save — the agent validates the file as at start and applies it without a restart.
"use strict";
(async () => {
  const $ = id => document.getElementById(id);
  const model = await Edge.get("/api/editor");
  const areas = model.areas.map(a => ({ id: a.id, kind: a.kind, polygon: a.polygon }));
  const doors = model.doors.map(d => ({ id: d.id, line: d.line, inside: d.inside, zone: d.zone }));
  const pairs = {};   // camera → [{u, v, x, y}]
  for (const c of model.cameras)
    pairs[c.id] = (c.calibration?.imagePoints || []).map((p, i) => ({ u: p[0], v: p[1], x: c.calibration.floorPoints[i][0], y: c.calibration.floorPoints[i][1] }));
  const recalibrated = new Set();
  let drawing = [];
  const plan = $("plan");
  const mode = () => document.querySelector("input[name=mode]:checked").value;

  if (model.fleetManaged || model.readOnly) {
    $("managed").hidden = false;
    $("managed").textContent = model.readOnly ? `Read-only: ${model.readOnly}.`
      : "Fleet updates manage this ward's configuration: saving here is refused; publish the change as a release instead.";
  }
  const everything = () => [...areas.map(a => a.polygon), ...doors.map(d => d.line), ...Object.values(pairs).flat().map(p => [[p.x, p.y]])];
  plan.setAttribute("viewBox", Edge.viewBox(everything(), 4));

  function drawPlan() {
    const layers = [plan.querySelector("title")];
    for (const a of areas) {
      layers.push(Edge.el("polygon", { class: "zone", points: Edge.points(a.polygon), "data-zone": a.id }));
      const cx = a.polygon.reduce((s, p) => s + p[0], 0) / a.polygon.length, cy = a.polygon.reduce((s, p) => s + p[1], 0) / a.polygon.length;
      layers.push(Edge.el("text", { class: "label", x: cx, y: cy, "text-anchor": "middle" }, a.id));
    }
    for (const d of doors) layers.push(Edge.el("line", { class: "door", x1: d.line[0][0], y1: d.line[0][1], x2: d.line[1][0], y2: d.line[1][1] }));
    if (drawing.length) {
      layers.push(Edge.el(mode() === "door" ? "polyline" : "polygon", { class: "zone new", points: Edge.points(drawing) }));
      for (const p of drawing) layers.push(Edge.el("circle", { class: "vertex", cx: p[0], cy: p[1], r: 0.25 }));
    }
    (pairs[$("camera").value] || []).forEach((p, i) => {
      if (Number.isFinite(p.x) && Number.isFinite(p.y)) {
        layers.push(Edge.el("circle", { class: "calib", cx: p.x, cy: p.y, r: 0.3 }));
        layers.push(Edge.el("text", { class: "label", x: p.x + 0.4, y: p.y - 0.3 }, i + 1));
      }
    });
    plan.replaceChildren(...layers);
  }

  function drawLists() {
    $("zones").tBodies[0].replaceChildren(...areas.map((a, i) => Edge.el("tr", null, Edge.el("td", null, a.id), Edge.el("td", null, a.kind),
      Edge.el("td", { class: "num" }, a.polygon.length), Edge.el("td", null, removeButton(`Remove zone ${a.id}`, () => areas.splice(i, 1))))));
    $("doors").tBodies[0].replaceChildren(...doors.map((d, i) => Edge.el("tr", null, Edge.el("td", null, d.id), Edge.el("td", null, d.zone || "–"),
      Edge.el("td", null, d.inside), Edge.el("td", null, removeButton(`Remove door ${d.id}`, () => doors.splice(i, 1))))));
    const zoneSelect = $("door-zone"), keep = zoneSelect.value;
    zoneSelect.replaceChildren(Edge.el("option", { value: "" }, "no zone"), ...areas.map(a => Edge.el("option", { value: a.id }, a.id)));
    zoneSelect.value = areas.some(a => a.id === keep) ? keep : "";
  }

  function removeButton(label, action) {
    const b = Edge.el("button", { type: "button", class: "secondary", "aria-label": label }, "Remove");
    b.addEventListener("click", () => { action(); drawLists(); drawPlan(); });
    return b;
  }

  function status() {
    $("drawing").textContent = drawing.length ? `${drawing.length} point(s) of a new ${mode() === "door" ? "door" : "zone"}` : "";
  }

  plan.addEventListener("click", e => addFloorPoint(Edge.floorPoint(plan, e)));
  // The keyboard's way to the same: a point typed in metres.
  $("add-point").addEventListener("click", () => {
    const x = parseFloat($("point-x").value), y = parseFloat($("point-y").value);
    $("problems").replaceChildren();
    if (!Number.isFinite(x) || !Number.isFinite(y)) { $("problems").append(Edge.el("li", null, "Type both coordinates of the point, in metres.")); return; }
    addFloorPoint([x, y]);
  });
  function addFloorPoint(p) {
    if (mode() === "floor") {
      const list = pairs[$("camera").value];
      const open = list.find(q => !Number.isFinite(q.x) || !Number.isFinite(q.y));
      if (!open) { $("problems").replaceChildren(Edge.el("li", null, "Click the camera image first: a pair starts there.")); return; }
      [open.x, open.y] = p;
      recalibrated.add($("camera").value);
      drawPairs(); drawPlan();
      return;
    }
    if (mode() === "door" && drawing.length >= 2) drawing = [];
    drawing.push(p);
    status(); drawPlan(); drawOverlay();
  }
  document.querySelectorAll("input[name=mode]").forEach(r => r.addEventListener("change", () => { drawing = []; status(); drawPlan(); }));

  $("finish").addEventListener("click", () => {
    const id = $("shape-id").value.trim();
    $("problems").replaceChildren();
    const problem = !/^[A-Za-z0-9_-]{1,64}$/.test(id) ? "Give the shape an id: letters, digits, '-' and '_'."
      : [...areas, ...doors].some(s => s.id === id) ? `The id '${id}' is taken.`
      : mode() === "door" ? (drawing.length !== 2 ? "A door is two points." : null)
      : drawing.length < 3 ? "A zone needs at least three corners." : null;
    if (problem) { $("problems").append(Edge.el("li", null, problem)); return; }
    if (mode() === "door") doors.push({ id, line: drawing, inside: $("door-inside").value, zone: $("door-zone").value || null });
    else areas.push({ id, kind: $("zone-kind").value, polygon: drawing });
    drawing = [];
    $("shape-id").value = "";
    status(); drawLists(); drawPlan(); drawOverlay();
  });
  $("discard").addEventListener("click", () => { drawing = []; status(); drawPlan(); });

  // Calibration.
  for (const c of model.cameras) $("camera").append(Edge.el("option", { value: c.id }, c.id));
  const frame = $("frame");
  function loadFrame() { frame.src = `/api/cameras/${encodeURIComponent($("camera").value)}/live.jpg?t=${Date.now()}`; }
  $("refresh").addEventListener("click", loadFrame);
  $("camera").addEventListener("change", () => { loadFrame(); drawPairs(); drawPlan(); fit(); });
  // The camera's floor mapping (3×3, image 0..1 → floor metres) and its inverse, from the agent's own fit.
  let H = null, Hinv = null;
  const apply = (m, x, y) => { const w = m[6] * x + m[7] * y + m[8]; return [(m[0] * x + m[1] * y + m[2]) / w, (m[3] * x + m[4] * y + m[5]) / w, w]; };
  function invert(m) {
    const [a, b, c, d, e, f, g, h, i] = m, det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
    return [e * i - f * h, c * h - b * i, b * f - c * e, f * g - d * i, a * i - c * g, c * d - a * f, d * h - e * g, b * g - a * h, a * e - b * d].map(v => v / det);
  }
  async function fit() {
    const list = pairs[$("camera").value] || [];
    const r = await Edge.send("POST", "/api/calibration/fit", { imagePoints: list.map(p => [p.u, p.v]), floorPoints: list.map(p => [p.x, p.y]) });
    H = r.body?.ok ? r.body.homography : null;
    Hinv = H ? invert(H) : null;
    drawOverlay();
    return r;
  }

  frame.addEventListener("click", e => {
    const r = frame.getBoundingClientRect();
    const u = Math.round((e.clientX - r.left) / r.width * 10000) / 10000, v = Math.round((e.clientY - r.top) / r.height * 10000) / 10000;
    if (mode() === "floor") {
      pairs[$("camera").value].push({ u, v, x: NaN, y: NaN });
      recalibrated.add($("camera").value);
      drawPairs(); drawPlan();
      return;
    }
    $("problems").replaceChildren();
    if (!H) { $("problems").append(Edge.el("li", null, `Camera ${$("camera").value} has no calibration to map the click to the floor: add pairs and fit first.`)); return; }
    const [x, y] = apply(H, u, v);
    if (mode() === "door" && drawing.length >= 2) drawing = [];
    drawing.push([Math.round(x * 100) / 100, Math.round(y * 100) / 100]);
    status(); drawPlan(); drawOverlay();
  });

  function numberCell(pair, key, label) {
    const input = Edge.el("input", { type: "number", step: "any", value: Number.isFinite(pair[key]) ? pair[key] : "", "aria-label": label });
    input.addEventListener("change", () => { pair[key] = parseFloat(input.value); recalibrated.add($("camera").value); drawPlan(); drawOverlay(); });
    return Edge.el("td", null, input);
  }

  // On the image: the calibration pairs, and the zones, doors and the shape being drawn seen through the camera.
  function drawOverlay() {
    const svg = $("image-points");
    const shapes = [];
    const toImage = pts => {
      if (!Hinv) return null;
      // A floor point behind the camera's horizon has no place in the image: such a shape is not drawn.
      const centre = H[6] * 0.5 + H[7] * 0.5 + H[8];
      const mapped = pts.map(p => apply(Hinv, p[0], p[1]));
      const visible = q => Number.isFinite(q[0]) && Number.isFinite(q[1]) && (H[6] * q[0] + H[7] * q[1] + H[8]) * centre > 0;
      return mapped.every(visible) ? mapped.map(q => [q[0], q[1]]) : null;
    };
    for (const a of areas) { const q = toImage(a.polygon); if (q) shapes.push(Edge.el("polygon", { points: Edge.points(q), fill: "none", stroke: "#0b5cad", "stroke-width": 0.004 })); }
    for (const d of doors) { const q = toImage(d.line); if (q) shapes.push(Edge.el("polyline", { points: Edge.points(q), fill: "none", stroke: "#d35400", "stroke-width": 0.006 })); }
    if (drawing.length) { const q = toImage(drawing); if (q) shapes.push(Edge.el("polyline", { points: Edge.points(q), fill: "none", stroke: "#f0a500", "stroke-width": 0.005 })); }
    const dots = (pairs[$("camera").value] || []).map(p => Edge.el("circle", { cx: p.u, cy: p.v, r: 0.008, fill: "#6b2fa3", stroke: "#fff", "stroke-width": 0.002 }));
    svg.replaceChildren(...shapes, ...dots);
  }

  function drawPairs(errors) {
    const list = pairs[$("camera").value] || [];
    $("pairs").tBodies[0].replaceChildren(...list.map((p, i) => Edge.el("tr", null, Edge.el("td", null, i + 1),
      numberCell(p, "u", `Pair ${i + 1} image x`), numberCell(p, "v", `Pair ${i + 1} image y`),
      numberCell(p, "x", `Pair ${i + 1} floor x`), numberCell(p, "y", `Pair ${i + 1} floor y`),
      Edge.el("td", { class: "num" }, errors ? errors[i] : "–"),
      Edge.el("td", null, removeButton(`Remove pair ${i + 1}`, () => { list.splice(i, 1); recalibrated.add($("camera").value); drawPairs(); })))));
    drawOverlay();
  }

  $("fit").addEventListener("click", async () => {
    const r = await fit();
    if (r.body?.ok) {
      $("fit-result").replaceChildren(Edge.el("span", { class: r.body.rmsErrorMetres < 0.5 ? "ok" : "warn" }, `Reprojection error ${r.body.rmsErrorMetres.toFixed(3)} m (root mean square)`));
      drawPairs(r.body.pointErrorsMetres.map(e => e.toFixed(3)));
    } else {
      $("fit-result").replaceChildren(Edge.el("span", { class: "bad" }, "Cannot fit: " + (r.body?.problem || `HTTP ${r.status}`)));
    }
  });

  $("save").addEventListener("click", async () => {
    $("problems").replaceChildren();
    $("save-result").textContent = "Saving…";
    const calibrations = {};
    for (const id of recalibrated) {
      const incomplete = pairs[id].findIndex(p => ![p.u, p.v, p.x, p.y].every(Number.isFinite));
      if (incomplete >= 0) {
        $("save-result").textContent = "Not saved.";
        $("problems").append(Edge.el("li", null, `Camera ${id}: pair ${incomplete + 1} has no floor position yet.`));
        return;
      }
      calibrations[id] = { imagePoints: pairs[id].map(p => [p.u, p.v]), floorPoints: pairs[id].map(p => [p.x, p.y]) };
    }
    const r = await Edge.send("PUT", "/api/config", { areas, doors, calibrations });
    if (r.ok) {
      $("save-result").textContent = `Saved to ${r.body.saved} and applied (events after #${r.body.appliedAfterSeq} use it).`;
      recalibrated.clear();
    } else {
      $("save-result").textContent = "Not saved: the configuration was refused.";
      $("problems").replaceChildren(...(r.body?.problems || [`HTTP ${r.status}`]).map(p => Edge.el("li", null, p)));
    }
  });

  drawLists(); drawPlan(); drawPairs();
  if (model.cameras.length) { loadFrame(); fit(); }
})();
