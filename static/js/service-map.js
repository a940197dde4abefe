/* The map of services: Mali's regions (shipped with Sira) and each service as a dot. No tile server. */
(function () {
  "use strict";
  var el = document.getElementById("service-map");
  if (!el || !window.L) { return; }
  var map = L.map(el, { attributionControl: true, zoomSnap: 0.5 });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("DNCT Mali / OCHA (COD-AB 2015), CC BY 4.0");
  var dots = L.layerGroup().addTo(map);
  var colours = { Shelter: "#b3261e", Medical: "#1565c0", Psychosocial: "#6a1b9a", LegalAid: "#2e7d32", ChildProtection: "#ef6c00" };

  function popup(p) {
    var box = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = p.name;
    box.appendChild(title);
    [p.provider, p.service_label, p.region, p.hours, p.contact].forEach(function (text) {
      if (text) { box.appendChild(document.createElement("br")); box.appendChild(document.createTextNode(text)); }
    });
    if (p.total !== null) {
      box.appendChild(document.createElement("br"));
      box.appendChild(document.createTextNode(p.free + " / " + p.total + " " + el.dataset.free));
    }
    return box;
  }

  function load() {
    var service = document.getElementById("map-service").value;
    fetch(el.dataset.services + (service ? "?service=" + encodeURIComponent(service) : ""), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        dots.clearLayers();
        L.geoJSON(data, {
          pointToLayer: function (feature, latlng) {
            var p = feature.properties;
            return L.circleMarker(latlng, {
              radius: 7, weight: 2, color: "#222",
              fillColor: colours[p.service] || "#555", fillOpacity: p.free === 0 ? 0.3 : 0.9
            });
          },
          onEachFeature: function (feature, layer) { layer.bindPopup(popup(feature.properties)); }
        }).addTo(dots);
      });
  }

  fetch(el.dataset.boundaries, { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      var regions = L.geoJSON(data, { style: { color: "#667", weight: 1, fillColor: "#fdfbf3", fillOpacity: 1 } }).addTo(map);
      map.fitBounds(regions.getBounds());
      regions.bringToBack();
      load();
    });
  document.getElementById("map-service").addEventListener("change", load);
})();
