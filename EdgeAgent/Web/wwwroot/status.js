// Status page: cameras, models, outbox, updates; refreshed every 2 seconds.
"use strict";
(() => {
  const $ = id => document.getElementById(id);
  const row = (...cells) => Edge.el("tr", null, ...cells);
  const td = (text, cls) => Edge.el("td", cls ? { class: cls } : null, text);
  const fill = (tbody, rows) => tbody.replaceChildren(...rows);

  function render(s) {
    const state = s.health === "healthy" ? Edge.el("span", { class: "ok", id: "health" }, "healthy")
      : s.health === "degraded" ? Edge.el("span", { class: "bad", id: "health" }, `degraded: camera ${s.down.join(", ")} down` + (s.blind.length ? `, zone ${s.blind.join(", ")} blind` : ""))
      : Edge.el("span", { class: "bad", id: "health" }, "not healthy: " + (s.silent || "?") + " silent");
    $("summary").replaceChildren(`Ward ${s.ward.site}/${s.ward.id}, device ${s.ward.device}, agent ${s.agent}, up ${Math.floor(s.uptimeSeconds / 60)} min — `, state);
    fill($("cameras").tBodies[0], s.cameras.map(c => {
      const drops = Object.entries(c.dropped).filter(([, n]) => n > 0).map(([r, n]) => `${r} ${n}`).join(", ") || "none";
      const since = c.since ? ` since ${Edge.time(c.since)}` : "";
      return Edge.el("tr", { "data-camera": c.id, "data-state": c.state }, td(c.id),
        Edge.el("td", null, Edge.el("span", { class: Edge.stateClass(c.state) }, c.state), c.state === "delivering" ? "" : ` (${c.reason})${since}`),
        td(c.fps ?? "…", "num"), td(c.processedShare == null ? "…" : `${Math.round(c.processedShare * 100)} %`, "num"), td(c.inferenceMs ?? "…", "num"), td(c.framesProcessed, "num"), td(drops), td(`${c.reconnects} (${c.reconnectAttempts})`, "num"),
        td(c.zones.join(", ") || "–"), td(c.lastError || "–"));
    }));
    $("provider").textContent = s.executionProvider || "–";
    fill($("models").tBodies[0], s.models.map(m => row(td(m.role), td(m.name), Edge.el("td", null, Edge.el("code", null, m.file)),
      Edge.el("td", null, Edge.el("code", { title: m.sha256 }, m.sha256.slice(0, 12) + "…")), td(m.provider))));
    $("outbox").textContent = s.outbox
      ? `${s.outbox.messages} event(s) kept on the device (${Math.round(s.outbox.bytes / 1024)} KiB), last sequence ${s.outbox.lastSeq}.`
      : "No destination configured: events are written to the local file only.";
    fill($("destinations").tBodies[0], s.destinations.map(d => row(td(d.name),
      Edge.el("td", null, Edge.el("span", { class: d.connected ? "ok" : "bad" }, d.connected ? "connected" : "down")),
      td(d.pending, "num"), td(drain(d)), td(d.published, "num"), td(d.alarm || "–"))));
    const u = s.update;
    const items = u.enabled
      ? [["Running release", u.current || "provisioned"], ["Desired", u.desired ?? "–"], ["On trial", u.pending ?? "–"], ["Last failure", u.failedVersion ? `${u.failedVersion}: ${u.failedReason}` : "–"]]
      : [["Fleet updates", "off (Fleet:Enabled)"]];
    $("update").replaceChildren(...items.flatMap(([k, v]) => [Edge.el("dt", null, k), Edge.el("dd", null, String(v))]));
  }

  // "12 s at up to 1000/s": the expected time to send what waits, and the destination's rate limit if it has one.
  function drain(d) {
    if (d.pending === 0) return "nothing waiting";
    const limit = d.rateLimit ? ` at up to ${d.rateLimit}/s` : "";
    if (d.drainSeconds == null) return "unknown (nothing sent lately)" + limit;
    const t = d.drainSeconds < 90 ? `${Math.ceil(d.drainSeconds)} s` : d.drainSeconds < 5400 ? `${Math.round(d.drainSeconds / 60)} min` : `${(d.drainSeconds / 3600).toFixed(1)} h`;
    return t + limit;
  }

  async function refresh() {
    try { render(await Edge.get("/api/status")); }
    catch (e) { $("summary").textContent = "The agent did not answer: " + e.message; }
  }
  refresh();
  setInterval(refresh, 2000);
})();
