// Live view: the chosen camera's anonymised frames as an MJPEG stream.
"use strict";
(async () => {
  const select = document.getElementById("camera"), img = document.getElementById("frame"), caption = document.getElementById("caption");
  const editor = await Edge.get("/api/editor");
  for (const c of editor.cameras) select.append(Edge.el("option", { value: c.id }, c.id));
  const wanted = new URLSearchParams(location.search).get("camera");
  if (wanted) select.value = wanted;
  function show() {
    const id = select.value;
    img.src = `/api/cameras/${encodeURIComponent(id)}/live.mjpeg`;
    img.alt = `Anonymised live view of camera ${id}`;
    caption.textContent = `Camera ${id}` + (editor.cameras.find(c => c.id === id)?.calibration ? "" : " (not calibrated: no zones drawn)");
  }
  select.addEventListener("change", show);
  if (select.value) show();
  // The roles' colours, as the boxes are drawn (and as the dashboard draws people).
  async function legend() {
    try {
      const b = await Edge.get("/api/dashboard");
      document.getElementById("role-legend").replaceChildren(...b.roles.map(r => Edge.el("span", { "data-role": r.role }, Edge.swatch(r.colour), r.role)));
    } catch { /* the next refresh tries again */ }
  }
  legend();
  setInterval(legend, 10000);
})();
