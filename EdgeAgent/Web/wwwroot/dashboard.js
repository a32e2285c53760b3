// Ward dashboard: floor plan with occupancy per zone and role, people by role, heatmap of the last hour, the cameras and
// the zones they leave blind, alerts in words, and the shift's timeline as a chart (with its table and a CSV export),
// kept live by server-sent events (a full snapshot each time something changes).
"use strict";
(() => {
  const $ = id => document.getElementById(id);
  let last = null;
  const colourOf = (b, role) => (b.roles.find(r => r.role === role) || { colour: "#6B7280" }).colour;
  const centre = poly => [poly.reduce((s, p) => s + p[0], 0) / poly.length, poly.reduce((s, p) => s + p[1], 0) / poly.length];

  function plan(b) {
    const svg = $("plan");
    svg.setAttribute("viewBox", Edge.viewBox(b.zones.map(z => z.polygon)));
    const layers = [svg.querySelector("title"), Edge.hatch("blind-hatch")];
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
    const alerting = new Set(b.alerts.filter(a => a.kind === "unstaffed").map(a => a.zone));
    for (const z of b.zones) {
      const cls = "zone" + (z.blind ? " blind" : alerting.has(z.id) ? " alert" : z.total > 0 ? " occupied" : "");
      const g = Edge.el("g", { "data-zone": z.id, "data-blind": z.blind });
      g.append(Edge.el("polygon", { class: cls, points: Edge.points(z.polygon), "fill-opacity": $("show-heat").checked && !z.blind ? 0.55 : 1 }));
      if (z.blind) g.append(Edge.el("polygon", { class: "hatch", points: Edge.points(z.polygon), fill: "url(#blind-hatch)" }));
      const [cx, cy] = centre(z.polygon);
      // A blind zone's count is "?" (unknown, never 0); the legend and the occupancy table say why.
      g.append(Edge.el("text", { class: "label", x: cx, y: cy, "text-anchor": "middle" }, z.blind ? `${z.id}: ?` : `${z.id}: ${z.total}`,
        z.blind ? Edge.el("title", null, `${z.id}: occupancy unknown — no working camera sees it`) : null));
      layers.push(g);
    }
    for (const d of b.doors) layers.push(Edge.el("line", { class: "door", x1: d.line[0][0], y1: d.line[0][1], x2: d.line[1][0], y2: d.line[1][1] }));
    for (const p of b.people) layers.push(Edge.el("circle", { class: "person", cx: p.x, cy: p.y, r: 0.35, fill: p.colour }, Edge.el("title", null, p.role)));
    svg.replaceChildren(...layers);
    $("role-legend").replaceChildren(...b.roles.map(r => Edge.el("span", { "data-role": r.role }, Edge.swatch(r.colour), r.role)));
  }

  function cameras(b) {
    $("cameras").replaceChildren(...b.cameras.map(c => Edge.el("li", { "data-camera": c.id, "data-state": c.state },
      Edge.el("span", { class: Edge.stateClass(c.state) }, `${c.id}: ${c.state}`),
      c.state === "delivering" ? "" : ` — ${c.reason}` + (c.since ? `, since ${Edge.time(c.since)} (${Edge.ago(c.since, b.at)})` : ""),
      c.zones.length ? Edge.el("span", { class: "muted" }, ` · sees ${c.zones.join(", ")}`) : "")));
  }

  function alertText(a, at) {
    const since = `since ${Edge.time(a.unstaffedSince)} (${Edge.ago(a.unstaffedSince, at)})`;
    return a.kind === "coverage"
      ? `${a.zone} is blind ${since}: ${a.requires}.`
      : `${a.zone} is understaffed ${since}: rule ${a.rule} requires ${a.requires}.`;
  }

  function tables(b) {
    $("seq").dataset.seq = b.seq;
    $("seq").title = `as of event ${b.seq}`;
    $("seq").setAttribute("datetime", b.at);
    $("seq").textContent = new Date(b.at).toLocaleTimeString();
    $("occupancy").tBodies[0].replaceChildren(...b.zones.map(z => Edge.el("tr", { "data-zone": z.id, class: z.blind ? "blind" : "" },
      Edge.el("th", { scope: "row" }, z.id), Edge.el("td", null, z.kind),
      Edge.el("td", { class: "num", "data-total": z.blind ? "" : z.total, "data-known": !z.blind }, z.blind ? "unknown" : z.total),
      Edge.el("td", null, z.blind ? `no working camera (${(z.cameras || []).join(", ") || "none"}) since ${Edge.time(z.blindSince)}` : Edge.roles(z.occupancy)))));
    $("alerts").replaceChildren(...(b.alerts.length
      ? b.alerts.map(a => Edge.el("li", { class: "bad", "data-kind": a.kind, "data-rule": a.rule }, alertText(a, b.at)))
      : [Edge.el("li", { class: "ok" }, "None: every rule is met")]));
    $("shift").textContent = Edge.time(b.shiftStart);
    $("heat-window").textContent = Math.round(b.heatmap.windowMinutes);
    const cols = b.timeline.columns;
    $("timeline").tHead.replaceChildren(Edge.el("tr", null, Edge.el("th", { scope: "col" }, "Zone"), ...cols.map(c => Edge.el("th", { scope: "col" }, Edge.time(c.at)))));
    $("timeline").tBodies[0].replaceChildren(...b.zones.map(z => Edge.el("tr", null, Edge.el("th", { scope: "row" }, z.id),
      ...cols.map(c => {
        const blind = (c.blind || []).includes(z.id), n = c.peak[z.id];
        return Edge.el("td", { class: c.alerts.includes(z.id) ? "alert" : blind ? "blind" : n > 0 ? "busy" : "" }, blind && n === undefined ? "?" : n ?? 0);
      }))));
    chart(b);
  }

  // Per zone, a row of stacked bars: each period's peak by role, in the roles' colours; red behind an alert, hatched while blind.
  function chart(b) {
    const cols = b.timeline.columns, w = 14, gap = 3, h = 48;
    const max = Math.max(1, ...cols.flatMap(c => Object.values(c.peak)));
    const rows = b.zones.map(z => {
      const svg = Edge.el("svg", { class: "spark", viewBox: `0 0 ${Math.max(1, cols.length) * (w + gap)} ${h}`, width: Math.max(1, cols.length) * (w + gap), height: h, role: "img", "aria-label": `${z.id}: most people present per period, by role` },
        Edge.hatch(`hatch-${z.id}`));
      cols.forEach((c, i) => {
        const x = i * (w + gap);
        if (c.alerts.includes(z.id)) svg.append(Edge.el("rect", { x, y: 0, width: w, height: h, class: "alert-bg" }));
        if ((c.blind || []).includes(z.id)) svg.append(Edge.el("rect", { x, y: 0, width: w, height: h, fill: `url(#hatch-${z.id})` }));
        let y = h;
        for (const [role, n] of Object.entries((c.byRole || {})[z.id] || {}).sort()) {
          const bh = n / max * (h - 2);
          y -= bh;
          svg.append(Edge.el("rect", { x, y, width: w, height: bh, fill: colourOf(b, role) }, Edge.el("title", null, `${Edge.time(c.at)} ${role}: ${n}`)));
        }
      });
      return Edge.el("div", { class: "chart-row" }, Edge.el("span", { class: "chart-label" }, z.id), svg);
    });
    $("chart").replaceChildren(...rows, Edge.el("div", { class: "chart-axis muted" },
      cols.length ? `${Edge.time(cols[0].at)} → ${Edge.time(cols[cols.length - 1].at)}, ${Math.round(b.timeline.bucketSeconds / 60)} min per bar, tallest ${max}` : "no data yet"));
  }

  function render(b) {
    last = b;
    plan(b);
    cameras(b);
    tables(b);
    $("freshness").textContent = `Live — updated ${new Date(b.at).toLocaleTimeString()}`;
  }

  $("show-heat").addEventListener("change", () => last && plan(last));
  const source = new EventSource("/api/dashboard/stream");
  source.addEventListener("board", e => render(JSON.parse(e.data)));
  source.onerror = () => { $("freshness").textContent = "Connection to the agent lost; retrying…"; };
})();
