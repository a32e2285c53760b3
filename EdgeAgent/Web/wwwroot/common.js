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
    const svg = ["svg", "g", "polygon", "polyline", "line", "circle", "rect", "text", "title", "image"].includes(tag);
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
