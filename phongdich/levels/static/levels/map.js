// The level map: one circle per unit centroid, coloured by level. No tile layer: the
// points are the map (nothing fetched from elsewhere, CSP 'self').
(function () {
  function draw() {
    var holder = document.getElementById("level-map");
    var data = document.getElementById("level-points");
    if (!holder || !data || typeof L === "undefined") return;
    var points = JSON.parse(data.textContent);
    var colours = { 1: "#2e7d32", 2: "#f9a825", 3: "#ef6c00", 4: "#c62828" };
    var map = L.map(holder, { attributionControl: false });
    var bounds = [];
    points.forEach(function (p) {
      var colour = colours[p.level] || "#9e9e9e";
      var marker = L.circleMarker([p.lat, p.lon], {
        radius: 7, color: colour, weight: 2,
        fillColor: colour, fillOpacity: p.published ? 0.85 : 0.15,
      }).addTo(map);
      var text = p.name + ": " + (p.level ? "cấp " + p.level : "—");
      if (p.effective_from) text += " (từ " + p.effective_from + ")";
      else if (p.level) text += " (chưa công bố)";
      marker.bindTooltip(text);
      marker.getElement && marker.getElement() && marker.getElement().setAttribute("data-level", p.level || "");
      bounds.push([p.lat, p.lon]);
    });
    if (bounds.length) map.fitBounds(bounds, { padding: [12, 12] });
    else map.setView([19.8, 105.6], 8);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
