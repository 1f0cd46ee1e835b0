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
    var drawn = [];
    points.forEach(function (p) {
      var colour = colours[p.level] || "#9e9e9e";
      var style = {
        color: colour, weight: p.shape ? 1 : 2,
        fillColor: colour, fillOpacity: p.published ? 0.85 : 0.15,
      };
      var marker;
      if (p.shape) {
        // An imported outline: the unit's own shape; unpublished ones hatched by opacity.
        marker = L.geoJSON(p.shape, { style: function () { return style; } });
        var b = marker.getBounds();
        if (b.isValid()) { bounds.push(b.getSouthWest()); bounds.push(b.getNorthEast()); }
      } else {
        style.radius = 7;
        marker = L.circleMarker([p.lat, p.lon], style);
        bounds.push([p.lat, p.lon]);
      }
      // The words come from the page (data-word-*), in the page's language.
      var words = holder.dataset;
      var text = p.name + ": " + (p.level ? words.wordLevel + " " + p.level : "—");
      if (p.effective_from) text += " (" + words.wordFrom + " " + p.effective_from + ")";
      else if (p.level) text += " (" + words.wordUnpublished + ")";
      marker.bindTooltip(text);
      drawn.push([marker, p]);
    });
    // The view first, then the layers: a vector layer added to a map without a view fails
    // in Leaflet (its renderer has no bounds yet).
    if (bounds.length) map.fitBounds(bounds, { padding: [12, 12] });
    else map.setView([19.8, 105.6], 8);
    drawn.forEach(function (pair) { pair[0].addTo(map); });
    // Elements exist once the map has a view: tag each with its unit and level (tests and
    // assistive tools read them).
    drawn.forEach(function (pair) {
      var layers = pair[0].eachLayer ? [] : [pair[0]];
      if (pair[0].eachLayer) pair[0].eachLayer(function (l) { layers.push(l); });
      layers.forEach(function (l) {
        var el = l.getElement && l.getElement();
        if (!el) return;
        el.setAttribute("data-level", pair[1].level || "");
        el.setAttribute("data-code", pair[1].code);
        el.setAttribute("data-kind", pair[1].shape ? "shape" : "point");
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
