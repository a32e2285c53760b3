// Ward dashboard: floor plan with occupancy per zone and role, people by role, heatmap of the last hour, alerts and the
// shift's timeline, kept live by server-sent events (a full snapshot each time something changes).
"use strict";
(() => {
  const $ = id => document.getElementById(id);
  const roleColours = ["#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
  const colourOf = role => role === "unknown" ? "#555" : roleColours[[...role].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) % roleColours.length];
  let last = null;

  function plan(b) {
    const svg = $("plan");
    svg.setAttribute("viewBox", Edge.viewBox(b.zones.map(z => z.polygon)));
    const layers = [svg.querySelector("title")];
    if ($("show-heat").checked && b.heatmap.cols > 0) {
      const h = b.heatmap, max = Math.max(1, ...h.counts);
      const heat = Edge.el("g", { "aria-hidden": "true" });
      h.counts.forEach((n, i) => {
        if (!n) return;
        const x = h.x0 + (i % h.cols) * h.cell, y = h.y0 + Math.floor(i / h.cols) * h.cell;
        heat.append(Edge.el("rect", { x, y, width: h.cell, height: h.cell, fill: "#e4572e", "fill-opacity": (0.12 + 0.6 * n / max).toFixed(2) }));
      });
      layers.push(heat);
    }
    const alerting = new Set(b.alerts.map(a => a.zone));
    for (const z of b.zones) {
      const cls = "zone" + (alerting.has(z.id) ? " alert" : z.total > 0 ? " occupied" : "");
      const g = Edge.el("g", { "data-zone": z.id });
      g.append(Edge.el("polygon", { class: cls, points: Edge.points(z.polygon), "fill-opacity": $("show-heat").checked ? 0.55 : 1 }));
      const cx = z.polygon.reduce((s, p) => s + p[0], 0) / z.polygon.length, cy = z.polygon.reduce((s, p) => s + p[1], 0) / z.polygon.length;
      g.append(Edge.el("text", { class: "label", x: cx, y: cy, "text-anchor": "middle" }, `${z.id}: ${z.total}`));
      layers.push(g);
    }
    for (const d of b.doors) layers.push(Edge.el("line", { class: "door", x1: d.line[0][0], y1: d.line[0][1], x2: d.line[1][0], y2: d.line[1][1] }));
    for (const p of b.people) layers.push(Edge.el("circle", { class: "person", cx: p.x, cy: p.y, r: 0.35, fill: colourOf(p.role) }, Edge.el("title", null, p.role)));
    svg.replaceChildren(...layers);
  }

  function tables(b) {
    $("seq").textContent = b.seq;
    $("seq").dataset.seq = b.seq;
    $("occupancy").tBodies[0].replaceChildren(...b.zones.map(z => Edge.el("tr", { "data-zone": z.id },
      Edge.el("th", { scope: "row" }, z.id), Edge.el("td", null, z.kind), Edge.el("td", { class: "num", "data-total": z.total }, z.total), Edge.el("td", null, Edge.roles(z.occupancy)))));
    $("alerts").replaceChildren(...(b.alerts.length
      ? b.alerts.map(a => Edge.el("li", null, `${a.zone}: below its staffing rule ${a.rule} since ${Edge.time(a.unstaffedSince)}`))
      : [Edge.el("li", { class: "ok" }, "None: every rule is met")]));
    $("shift").textContent = Edge.time(b.shiftStart);
    $("heat-window").textContent = Math.round(b.heatmap.windowMinutes);
    const cols = b.timeline.columns;
    $("timeline").tHead.replaceChildren(Edge.el("tr", null, Edge.el("th", { scope: "col" }, "Zone"), ...cols.map(c => Edge.el("th", { scope: "col" }, Edge.time(c.at)))));
    $("timeline").tBodies[0].replaceChildren(...b.zones.map(z => Edge.el("tr", null, Edge.el("th", { scope: "row" }, z.id),
      ...cols.map(c => { const n = c.peak[z.id] ?? 0; return Edge.el("td", { class: c.alerts.includes(z.id) ? "alert" : n > 0 ? "busy" : "" }, n); }))));
  }

  function render(b) {
    last = b;
    plan(b);
    tables(b);
    $("freshness").textContent = `Live — updated ${new Date(b.at).toLocaleTimeString()}`;
  }

  $("show-heat").addEventListener("change", () => last && plan(last));
  const source = new EventSource("/api/dashboard/stream");
  source.addEventListener("board", e => render(JSON.parse(e.data)));
  source.onerror = () => { $("freshness").textContent = "Connection to the agent lost; retrying…"; };
})();
