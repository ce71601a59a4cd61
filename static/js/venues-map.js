/* The venue map (Leaflet, vendored). Reads everything from data attributes of [data-venue-map], so the page
   needs no inline script. Tiles come from settings.MAP_TILE_URL; with no URL, or when no tile loads, the map
   keeps its plain background and the marker still shows the recorded position. */
(function () {
  "use strict";

  function init(el) {
    var lat = parseFloat(el.dataset.lat);
    var lng = parseFloat(el.dataset.lng);
    if (!window.L || isNaN(lat) || isNaN(lng)) {
      return;
    }
    var map = L.map(el, { scrollWheelZoom: false, zoomControl: true }).setView([lat, lng], 16);
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');

    var note = document.createElement("div");
    note.className = "venue-map-note";
    note.textContent = el.dataset.noTilesText || "";
    el.appendChild(note);

    var tileUrl = el.dataset.tileUrl;
    if (tileUrl) {
      var loaded = 0;
      var layer = L.tileLayer(tileUrl, { maxZoom: 19, attribution: el.dataset.tileAttribution || "" });
      layer.on("tileload", function () {
        loaded += 1;
        el.classList.remove("venue-map--no-tiles");
      });
      layer.on("tileerror", function () {
        if (!loaded) {
          el.classList.add("venue-map--no-tiles");
        }
      });
      layer.addTo(map);
    } else {
      el.classList.add("venue-map--no-tiles");
    }

    // The icon's images are named explicitly: Leaflet's own guess reads them from leaflet.css, which breaks
    // once the static files are served under hashed names.
    var icon = L.icon({
      iconUrl: el.dataset.iconUrl,
      iconRetinaUrl: el.dataset.iconRetinaUrl,
      shadowUrl: el.dataset.shadowUrl,
      iconSize: [25, 41],
      iconAnchor: [12, 41],
      popupAnchor: [1, -34],
      tooltipAnchor: [16, -28],
      shadowSize: [41, 41],
    });
    var marker = L.marker([lat, lng], { icon: icon, title: el.dataset.name, alt: el.dataset.name }).addTo(map);
    marker.bindTooltip(el.dataset.name);
    el.dataset.mapReady = "true";
  }

  function start() {
    document.querySelectorAll("[data-venue-map]").forEach(init);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
