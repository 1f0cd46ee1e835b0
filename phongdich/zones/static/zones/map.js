// The map of active zones: points on a plain background. No tile server is configured
// (no CDN, no outside requests); the points and their popups carry the information.
(function () {
  var el = document.getElementById("zone-map");
  var data = document.getElementById("zone-points");
  if (!el || !data || typeof L === "undefined") return;
  var points = JSON.parse(data.textContent);
  var map = L.map(el, { attributionControl: false });
  var bounds = [];
  points.forEach(function (p) {
    var marker = L.circleMarker([p.lat, p.lng], { radius: 8, color: "#c0392b" }).addTo(map);
    var link = document.createElement("a");
    link.href = "/zones/" + p.id + "/";
    link.textContent = p.name + " (" + p.place + ")";
    marker.bindPopup(link);
    bounds.push([p.lat, p.lng]);
  });
  if (bounds.length) map.fitBounds(bounds, { padding: [30, 30], maxZoom: 15 });
  else map.setView([19.8, 105.78], 9);
})();
