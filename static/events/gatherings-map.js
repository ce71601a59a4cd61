/* The map of gatherings under way and coming up, coloured by risk level (Leaflet, vendored). As the venue map
   (static/js/venues-map.js): everything from data attributes and a JSON block, no inline script; tiles from
   settings.MAP_TILE_URL, and without tiles the dots still show the recorded positions. */
(function () {
  "use strict";

  var COLOURS = { blue: "#1d5fae", yellow: "#d4a900", orange: "#e8771a", red: "#b3261e" };

  function init(el) {
    var dataEl = document.getElementById("gatherings-map-data");
    if (!window.L || !dataEl) {
      return;
    }
    var points = JSON.parse(dataEl.textContent);
    if (!points.length) {
      return;
    }
    var map = L.map(el, { scrollWheelZoom: false, zoomControl: true });
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

    var bounds = [];
    // The most urgent last, so that red dots are drawn on top.
    points
      .slice()
      .reverse()
      .forEach(function (p) {
        var colour = COLOURS[p.level] || COLOURS.blue;
        var marker = L.circleMarker([p.lat, p.lng], {
          radius: p.level === "red" ? 11 : p.level === "orange" ? 9 : 7,
          color: "#ffffff",
          weight: 2,
          fillColor: colour,
          fillOpacity: 0.9,
          className: "gathering-dot gathering-dot-" + p.level,
        }).addTo(map);
        var popup = document.createElement("div");
        var link = document.createElement("a");
        link.href = p.url;
        link.textContent = p.title;
        var meta = document.createElement("div");
        meta.textContent = p.when + " · " + p.risk + " · " + p.status;
        popup.appendChild(link);
        popup.appendChild(meta);
        marker.bindPopup(popup);
        marker.bindTooltip(p.title);
        bounds.push([p.lat, p.lng]);
      });
    if (bounds.length === 1) {
      map.setView(bounds[0], 15);
    } else {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 });
    }
    el.dataset.mapReady = "true";
    el.dataset.mapDots = String(points.length);
  }

  function start() {
    document.querySelectorAll("[data-gatherings-map]").forEach(init);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
