/* The live board's map (Leaflet, vendored): each zone with a polygon drawn and coloured by its level. The
   polygons come from the board's shapes endpoint (cached; fetched once per page); the levels from the JSON script element of the board's
   fragment, which htmx replaces every few seconds — after each swap the polygons are recoloured, so the map
   follows the tiles without a reload. No inline script or style: colours are classes (monitoring.css). */
(function () {
  "use strict";

  var LEVELS = ["blue", "yellow", "orange", "red"];

  function readJson(id, fallback) {
    var el = id ? document.getElementById(id) : null;
    if (!el) {
      return fallback;
    }
    try {
      return JSON.parse(el.textContent || "null") || fallback;
    } catch (e) {
      return fallback;
    }
  }

  function className(level) {
    return "mon-zone mon-zone-" + (LEVELS.indexOf(level) >= 0 ? level : "blue");
  }

  function init(el) {
    if (!window.L) {
      return;
    }
    var map = L.map(el, { scrollWheelZoom: false, zoomControl: true });
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    var note = document.createElement("div");
    note.className = "mon-map-note";
    note.textContent = el.dataset.noTilesText || "";
    el.appendChild(note);
    var tileUrl = el.dataset.tileUrl;
    if (tileUrl) {
      var loaded = 0;
      var layer = L.tileLayer(tileUrl, { maxZoom: 19, attribution: el.dataset.tileAttribution || "" });
      layer.on("tileload", function () {
        loaded += 1;
        el.classList.remove("mon-map--no-tiles");
      });
      layer.on("tileerror", function () {
        if (!loaded) {
          el.classList.add("mon-map--no-tiles");
        }
      });
      layer.addTo(map);
    } else {
      el.classList.add("mon-map--no-tiles");
    }

    var polygons = {};
    var bounds = [];
    var zoneUrl = el.dataset.zoneUrl || "";

    function draw(shapes) {
    shapes.forEach(function (shape) {
      var polygon = L.polygon(shape.ring, { className: className(shape.level), weight: 2, fillOpacity: 0.55 });
      polygon.bindTooltip(String(shape.name));
      polygon.on("click", function () {
        window.location.href = zoneUrl.replace(/\/0\/$/, "/" + shape.id + "/");
      });
      polygon.addTo(map);
      polygons[shape.id] = { layer: polygon, level: shape.level };
      shape.ring.forEach(function (point) {
        bounds.push(point);
      });
    });
    if (bounds.length) {
      map.fitBounds(bounds, { padding: [20, 20], maxZoom: 17 });
    } else {
      map.setView([36.0976, 114.3923], 12);
    }
    recolour();
    el.dataset.mapReady = "true";
    el.dataset.zones = String(shapes.length);
    }

    function recolour() {
      var levels = readJson(el.dataset.levelsId, {});
      var changed = 0;
      Object.keys(polygons).forEach(function (id) {
        var entry = polygons[id];
        var level = levels[id];
        if (level && level !== entry.level) {
          var path = entry.layer.getElement && entry.layer.getElement();
          if (path) {
            path.setAttribute("class", className(level) + " leaflet-interactive");
          }
          entry.level = level;
          changed += 1;
        }
        var node = entry.layer.getElement && entry.layer.getElement();
        if (node) {
          node.setAttribute("data-level", entry.level);
          node.setAttribute("data-zone", id);
        }
      });
      el.dataset.recoloured = String(Number(el.dataset.recoloured || "0") + changed);
    }

    document.body.addEventListener("htmx:afterSettle", function (event) {
      if (event.target && event.target.id === "mon-board") {
        recolour();
      }
    });
    // The polygons come from their own cached endpoint (they are large and change rarely), so the board page
    // and its polls stay small; an element's JSON is still read when the page carries one.
    var url = el.dataset.shapesUrl;
    if (url && window.fetch) {
      window
        .fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : { shapes: [] };
        })
        .then(function (data) {
          draw((data && data.shapes) || []);
        })
        .catch(function () {
          draw([]);
        });
    } else {
      draw(readJson(el.dataset.shapesId, []));
    }
  }

  function start() {
    document.querySelectorAll("[data-mon-map]").forEach(init);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
