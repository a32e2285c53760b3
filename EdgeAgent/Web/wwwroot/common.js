// Shared by every page: requests to the agent's API (with the header that marks them as the pages' own), formatting,
// and the floor-plan geometry (floor metres are the SVG's user units; y grows downwards on the plan).
"use strict";
const Edge = {
  async get(url) {
    const r = await fetch(url, { credentials: "same-origin", cache: "no-store" });
    if (r.status === 401) { location.href = "/login?next=" + encodeURIComponent(location.pathname); throw new Error("token required"); }
    if (!r.ok) throw new Error(url + ": HTTP " + r.status);
    return r.json();
  },
  async send(method, url, body) {
    const r = await fetch(url, { method, credentials: "same-origin", headers: { "Content-Type": "application/json", "X-Edge-Request": "1" }, body: JSON.stringify(body) });
    let payload = null;
    try { payload = await r.json(); } catch { payload = null; }
    return { status: r.status, ok: r.ok, body: payload };
  },
  el(tag, attrs, ...children) {
    const svg = ["svg", "g", "polygon", "polyline", "line", "circle", "rect", "text", "title", "image", "defs", "pattern"].includes(tag);
    const e = svg ? document.createElementNS("http://www.w3.org/2000/svg", tag) : document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) e.setAttribute(k, v);
    for (const c of children) if (c !== undefined && c !== null) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return e;
  },
  roles(byRole) {
    const parts = Object.entries(byRole || {}).filter(([, n]) => n > 0).sort().map(([r, n]) => r + " " + n);
    return parts.length ? parts.join(", ") : "nobody";
  },
  time(iso) { return iso ? new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : ""; },
  // "for 12 min", "for 40 s", "for 2 h 5 min": how long since iso, as of now (both ISO times).
  ago(iso, now) {
    const s = Math.max(0, Math.round((new Date(now || Date.now()) - new Date(iso)) / 1000));
    if (s < 90) return `for ${s} s`;
    const m = Math.round(s / 60);
    return m < 120 ? `for ${m} min` : `for ${Math.floor(m / 60)} h ${m % 60} min`;
  },
  // A small coloured disc (an SVG, since the pages' policy allows no inline style).
  swatch(colour) { return Edge.el("svg", { class: "swatch-svg", width: 12, height: 12, viewBox: "0 0 12 12", "aria-hidden": "true" }, Edge.el("circle", { cx: 6, cy: 6, r: 5.5, fill: colour })); },
  stateClass(state) { return state === "delivering" ? "ok" : state === "down" ? "bad" : "warn"; },
  // Diagonal hatching for blind zones (an SVG pattern to fill with url(#id)).
  hatch(id) {
    const defs = Edge.el("defs");
    const p = Edge.el("pattern", { id, patternUnits: "userSpaceOnUse", width: 0.8, height: 0.8, patternTransform: "rotate(45)" });
    if (id !== "blind-hatch") { p.setAttribute("width", 6); p.setAttribute("height", 6); }
    p.append(Edge.el("rect", { width: id !== "blind-hatch" ? 2 : 0.25, height: id !== "blind-hatch" ? 6 : 0.8, fill: "#4a5360" }));
    defs.append(p);
    return defs;
  },
  // The bounds of every polygon and line, with a margin, as an SVG viewBox.
  viewBox(shapes, margin = 1.5) {
    const pts = shapes.flat();
    if (!pts.length) return "-10 -10 20 20";
    const xs = pts.map(p => p[0]), ys = pts.map(p => p[1]);
    const x0 = Math.min(...xs) - margin, y0 = Math.min(...ys) - margin;
    return `${x0} ${y0} ${Math.max(...xs) - x0 + margin} ${Math.max(...ys) - y0 + margin}`;
  },
  // The floor point (metres) under a mouse event on a plan SVG.
  floorPoint(svg, event) {
    const p = svg.createSVGPoint();
    p.x = event.clientX; p.y = event.clientY;
    const f = p.matrixTransform(svg.getScreenCTM().inverse());
    return [Math.round(f.x * 100) / 100, Math.round(f.y * 100) / 100];
  },
  points(list) { return list.map(p => p.join(",")).join(" "); },
};
