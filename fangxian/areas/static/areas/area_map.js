// Outlines of an area and its children on a Leaflet map. Tiles only when the deployment has its
// own tile server (data-tiles); otherwise the outlines alone, which is enough to find a grid.
(function () {
  var element = document.getElementById("fx-map");
  var data = document.getElementById("fx-map-features");
  if (!element || !data || !window.L) return;
  var features = JSON.parse(data.textContent);
  var map = L.map(element, { attributionControl: false, zoomSnap: 0.25 });
  if (element.dataset.tiles) L.tileLayer(element.dataset.tiles, { maxZoom: 19 }).addTo(map);
  var layer = L.geoJSON(features, {
    style: function () { return { color: "#c0392b", weight: 2, fillOpacity: 0.08 }; },
    onEachFeature: function (feature, shape) {
      shape.bindTooltip(feature.properties.name, { sticky: true });
      shape.on("click", function () { window.location.href = "/areas/" + feature.properties.code + "/"; });
    }
  }).addTo(map);
  map.fitBounds(layer.getBounds(), { padding: [12, 12] });
})();
