/* The risk register map (Leaflet, vendored): one circle per subject, coloured by its current level. Reads the
   points from a JSON script element and the settings from data attributes, so the page needs no inline script.
   Tiles come from settings.MAP_TILE_URL; with no URL, or when no tile loads, the map keeps its plain background
   and the circles still show where each subject is. */
(function () {
  "use strict";

  var COLOURS = { red: "#c81e1e", orange: "#e8590c", yellow: "#f2c200", blue: "#1c64f2" };

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  function init(el) {
    var source = document.getElementById(el.dataset.pointsId);
    var points = source ? JSON.parse(source.textContent || "[]") : [];
    if (!window.L) {
      return;
    }
    var map = L.map(el, { scrollWheelZoom: false, zoomControl: true });
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');

    var note = document.createElement("div");
    note.className = "risk-map-note";
    note.textContent = el.dataset.noTilesText || "";
    el.appendChild(note);

    var tileUrl = el.dataset.tileUrl;
    if (tileUrl) {
      var loaded = 0;
      var layer = L.tileLayer(tileUrl, { maxZoom: 19, attribution: el.dataset.tileAttribution || "" });
      layer.on("tileload", function () {
        loaded += 1;
        el.classList.remove("risk-map--no-tiles");
      });
      layer.on("tileerror", function () {
        if (!loaded) {
          el.classList.add("risk-map--no-tiles");
        }
      });
      layer.addTo(map);
    } else {
      el.classList.add("risk-map--no-tiles");
    }

    var bounds = [];
    // Red last, so that the most serious circles are drawn on top.
    var order = { blue: 0, yellow: 1, orange: 2, red: 3 };
    points.sort(function (a, b) {
      return (order[a.level] || 0) - (order[b.level] || 0);
    });
    points.forEach(function (point) {
      var colour = COLOURS[point.level] || "#888";
      var marker = L.circleMarker([point.lat, point.lng], {
        radius: point.level === "red" ? 11 : point.level === "orange" ? 9 : 7,
        color: "#ffffff",
        weight: 2,
        fillColor: colour,
        fillOpacity: 0.9,
      }).addTo(map);
      marker.bindTooltip(escapeHtml(point.label) + " · " + escapeHtml(point.level_label));
      marker.bindPopup(
        "<strong>" + escapeHtml(point.label) + "</strong><br>" + escapeHtml(point.kind) + "<br>" +
          escapeHtml(point.level_label) + " (" + escapeHtml(point.score) + ")<br>" +
          '<a href="' + encodeURI(point.url) + '">' + escapeHtml(el.dataset.openText || "") + "</a>"
      );
      marker.getElement && marker.getElement() && marker.getElement().setAttribute("data-level", point.level);
      bounds.push([point.lat, point.lng]);
    });
    if (bounds.length) {
      map.fitBounds(bounds, { padding: [30, 30], maxZoom: 15 });
    } else {
      map.setView([parseFloat(el.dataset.lat || "36.0976"), parseFloat(el.dataset.lng || "114.3923")], 11);
    }
    el.dataset.mapReady = "true";
    el.dataset.markers = String(points.length);
  }

  function start() {
    document.querySelectorAll("[data-risk-map]").forEach(init);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
