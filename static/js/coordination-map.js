/* The map of actions: Mali's regions (shipped with Sira), projects as squares, plan activities as dots
   coloured by state. No tile server. A plain list under the map repeats what it shows. */
(function () {
  "use strict";
  var el = document.getElementById("service-map");
  if (!el || !window.L) { return; }
  var map = L.map(el, { attributionControl: true, zoomSnap: 0.1 });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("DNCT Mali / OCHA (COD-AB 2015), CC BY 4.0");
  var colours = { completed: "#2e7d32", on_time: "#2e7d32", late: "#b3261e", not_started: "#888", cancelled: "#555" };
  var list = document.getElementById("map-list");

  function lines(p) {
    var out = [p.title, p.actor, p.region];
    if (p.layer === "activity") { out.push(p.state_label + " · " + p.reached + " " + el.dataset.reached); }
    return out;
  }

  function popup(p) {
    var box = document.createElement("div");
    lines(p).forEach(function (text, i) {
      if (i) { box.appendChild(document.createElement("br")); }
      var node = i ? document.createTextNode(text) : document.createElement("strong");
      if (!i) { node.textContent = text; }
      box.appendChild(node);
    });
    return box;
  }

  function draw(data) {
    var seen = {};
    L.geoJSON(data, {
      pointToLayer: function (feature, latlng) {
        var p = feature.properties;
        var key = latlng.lat + "," + latlng.lng;
        var n = seen[key] = (seen[key] || 0) + 1;
        var shifted = L.latLng(latlng.lat + 0.45 * Math.floor((n - 1) / 3), latlng.lng + 0.5 * ((n - 1) % 3));
        if (p.layer === "project") {
          return L.rectangle([[shifted.lat - 0.2, shifted.lng - 0.2], [shifted.lat + 0.2, shifted.lng + 0.2]],
            { weight: 1, color: "#1a4f9c", fillColor: "#1a4f9c", fillOpacity: 0.6 });
        }
        return L.circleMarker(shifted, { radius: 7, weight: 2, color: "#222", fillColor: colours[p.state] || "#555", fillOpacity: 0.9 });
      },
      onEachFeature: function (feature, layer) {
        var p = feature.properties;
        layer.bindPopup(popup(p));
        var item = document.createElement("li");
        item.setAttribute("data-layer", p.layer);
        item.textContent = (p.layer === "project" ? el.dataset.project : el.dataset.activity) + " · " + lines(p).join(" · ");
        list.appendChild(item);
      }
    }).addTo(map);
  }

  fetch(el.dataset.boundaries, { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      var regions = L.geoJSON(data, { style: { color: "#667", weight: 1, fillColor: "#fdfbf3", fillOpacity: 1 } }).addTo(map);
      map.fitBounds(regions.getBounds());
      return fetch(el.dataset.points, { credentials: "same-origin" });
    })
    .then(function (r) { return r.json(); })
    .then(draw);
})();
