/* The one map script of CrowdSafe (issue 17 point 3), used by every page with a map: gatherings, venues, the risk
   register, the monitoring board, the leaders' dashboard and the command-centre screen.

   Each map is an element [data-cs-map="<id>"] whose configuration is the JSON of the json_script element <id>
   (built by crowdsafe/org/maps.py; no inline script, the CSP holds):

     tiles       {url, attribution, subdomains, overlay, crs: "wgs84" | "gcj02"}: the tile service, if any;
     boundaries  the URL of the jurisdictions' boundaries (GeoJSON): the base layer, drawn whether or not there
                 are tiles, so that a map with no network still shows where things are;
     layers      [{type: "points" | "marker" | "zones" | "heat", key, name, ...}], see crowdsafe/org/maps.py.

   With GCJ-02 tiles (AMap, Tencent) every WGS-84 position, ring and boundary is shifted onto the tiles by the
   standard conversion (wgs84ToGcj02 below; tests/org/test_gcj02.py runs it against reference values).
   No inline style either: colours of zones are classes, dots are SVG attributes. */
(function (root) {
  "use strict";

  // --- WGS-84 → GCJ-02 (国测局坐标): the published algorithm, Krasovsky 1940 ellipsoid. Outside China unchanged.
  var GCJ_A = 6378245.0;
  var GCJ_EE = 0.00669342162296594323;

  function outOfChina(lat, lng) {
    return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271;
  }

  function transformLat(x, y) {
    var ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    ret += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
    ret += ((20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin((y / 3.0) * Math.PI)) * 2.0) / 3.0;
    ret += ((160.0 * Math.sin((y / 12.0) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30.0)) * 2.0) / 3.0;
    return ret;
  }

  function transformLng(x, y) {
    var ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    ret += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
    ret += ((20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin((x / 3.0) * Math.PI)) * 2.0) / 3.0;
    ret += ((150.0 * Math.sin((x / 12.0) * Math.PI) + 300.0 * Math.sin((x / 30.0) * Math.PI)) * 2.0) / 3.0;
    return ret;
  }

  function wgs84ToGcj02(lat, lng) {
    if (outOfChina(lat, lng)) {
      return [lat, lng];
    }
    var dLat = transformLat(lng - 105.0, lat - 35.0);
    var dLng = transformLng(lng - 105.0, lat - 35.0);
    var radLat = (lat / 180.0) * Math.PI;
    var magic = Math.sin(radLat);
    magic = 1 - GCJ_EE * magic * magic;
    var sqrtMagic = Math.sqrt(magic);
    dLat = (dLat * 180.0) / (((GCJ_A * (1 - GCJ_EE)) / (magic * sqrtMagic)) * Math.PI);
    dLng = (dLng * 180.0) / ((GCJ_A / sqrtMagic) * Math.cos(radLat) * Math.PI);
    return [lat + dLat, lng + dLng];
  }

  var api = { wgs84ToGcj02: wgs84ToGcj02, outOfChina: outOfChina, maps: [] };
  root.CrowdSafeMap = api;
  if (typeof document === "undefined" || !root.L) {
    return; // loaded outside a page (the conversion's test), or Leaflet is missing
  }
  var L = root.L;

  var LEVEL_ORDER = { blue: 0, yellow: 1, orange: 2, red: 3 };
  var RADIUS = { red: 11, orange: 9, yellow: 7, blue: 7 };
  var HEAT_GRADIENT = { 0.3: "#1c64f2", 0.55: "#f2c200", 0.75: "#e8590c", 1.0: "#c81e1e" };

  function readJson(id, fallback) {
    var el = id ? document.getElementById(id) : null;
    if (!el) {
      return fallback;
    }
    try {
      var value = JSON.parse(el.textContent || "null");
      return value == null ? fallback : value;
    } catch (e) {
      return fallback;
    }
  }

  function fetchJson(url) {
    if (!url || !root.fetch) {
      return Promise.resolve(null);
    }
    return root
      .fetch(url, { credentials: "same-origin", headers: { Accept: "application/json, application/geo+json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .catch(function () {
        return null;
      });
  }

  function textNode(tag, text, className) {
    var node = document.createElement(tag);
    node.textContent = text == null ? "" : String(text);
    if (className) {
      node.className = className;
    }
    return node;
  }

  function CsMap(el, config) {
    this.el = el;
    this.config = config;
    this.texts = config.texts || {};
    this.colours = config.colours || {};
    this.gcj = (config.tiles && config.tiles.crs) === "gcj02";
    this.layers = {};
    this.control = null;
    this.fitted = false;
    this.boundaryBounds = null;
    this.dataBounds = [];
  }

  // A WGS-84 [lat, lng] as the tiles expect it.
  CsMap.prototype.pos = function (lat, lng) {
    return this.gcj ? wgs84ToGcj02(lat, lng) : [lat, lng];
  };

  CsMap.prototype.addClass = function (suffix) {
    this.el.classList.add("cs-map" + suffix);
    if (this.config.css) {
      this.el.classList.add(this.config.css + suffix);
    }
  };

  CsMap.prototype.removeClass = function (suffix) {
    this.el.classList.remove("cs-map" + suffix);
    if (this.config.css) {
      this.el.classList.remove(this.config.css + suffix);
    }
  };

  CsMap.prototype.start = function () {
    var self = this;
    var el = this.el;
    this.map = L.map(el, {
      scrollWheelZoom: el.dataset.scrollZoom === "true",
      zoomControl: el.dataset.zoomControl !== "false",
      attributionControl: true,
    });
    this.map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    // Boundaries lowest, then zones, the heat, and the dots on top.
    this.map.createPane("csBoundaries").style.zIndex = 350;
    this.map.createPane("csZones").style.zIndex = 380;
    this.map.createPane("csHeat").style.zIndex = 390;

    this.note = textNode("div", "", "cs-map-note" + (this.config.css ? " " + this.config.css + "-note" : ""));
    el.appendChild(this.note);
    this.tiles();
    this.centre();

    // Folded to an icon on the wall (nobody clicks it there) and on a phone (it would cover the map).
    this.control = L.control.layers(null, null, { collapsed: Boolean(this.config.collapsed) || el.clientWidth < 600 });
    (this.config.layers || []).forEach(function (spec) {
      self.addLayer(spec);
    });
    this.loadBoundaries();
    this.fit();
    var overlays = Object.keys(this.layers).length;
    if (overlays > 1) {
      this.control.addTo(this.map);
    }
    document.body.addEventListener("htmx:afterSettle", function () {
      self.refresh();
    });
    el.dataset.mapReady = "true";
  };

  CsMap.prototype.tiles = function () {
    var self = this;
    var tiles = this.config.tiles || {};
    var options = { maxZoom: 18, attribution: tiles.attribution || "" };
    if (tiles.subdomains) {
      options.subdomains = tiles.subdomains;
    }
    if (!tiles.url) {
      this.addClass("--no-tiles");
      this.updateNote();
      return;
    }
    var loaded = 0;
    var layer = L.tileLayer(tiles.url, options);
    layer.on("tileload", function () {
      loaded += 1;
      self.removeClass("--no-tiles");
      self.updateNote();
    });
    layer.on("tileerror", function () {
      if (!loaded) {
        self.addClass("--no-tiles");
        self.updateNote();
      }
    });
    layer.addTo(this.map);
    if (tiles.overlay) {
      L.tileLayer(tiles.overlay, { maxZoom: 18, subdomains: options.subdomains || "abc" }).addTo(this.map);
    }
  };

  CsMap.prototype.updateNote = function () {
    var noTiles = this.el.classList.contains("cs-map--no-tiles");
    var hasBoundaries = this.el.classList.contains("cs-map--boundaries");
    this.note.textContent = noTiles
      ? hasBoundaries
        ? this.texts.noTiles || ""
        : this.el.dataset.noTilesText || this.texts.noTilesNoBoundaries || ""
      : "";
  };

  CsMap.prototype.centre = function () {
    var c = this.config.centre || [36.0976, 114.3923];
    this.map.setView(this.pos(c[0], c[1]), this.config.zoom || 11);
  };

  CsMap.prototype.register = function (key, name, layer, visible) {
    this.layers[key] = layer;
    if (visible !== false) {
      layer.addTo(this.map);
    }
    if (name) {
      this.control.addOverlay(layer, name);
    }
  };

  CsMap.prototype.fit = function () {
    if (this.config.fit === false) {
      return;
    }
    // A territory's map (the dashboard, the screen): the whole territory, and whatever lies outside its boundary.
    if (this.config.fit === "territory" && this.boundaryBounds && this.boundaryBounds.isValid()) {
      var bounds = L.latLngBounds(this.boundaryBounds.getSouthWest(), this.boundaryBounds.getNorthEast());
      this.dataBounds.forEach(function (ll) {
        bounds.extend(ll);
      });
      this.map.fitBounds(bounds, { padding: [12, 12], animate: false });
      this.fitted = true;
      return;
    }
    if (this.dataBounds.length === 1) {
      this.map.setView(this.dataBounds[0], this.config.zoom || 15, { animate: false });
      this.fitted = true;
    } else if (this.dataBounds.length > 1) {
      this.map.fitBounds(this.dataBounds, { padding: [24, 24], maxZoom: 16, animate: false });
      this.fitted = true;
    } else if (this.boundaryBounds && this.boundaryBounds.isValid()) {
      this.map.fitBounds(this.boundaryBounds, { padding: [12, 12], animate: false });
      this.fitted = true;
    }
  };

  // --- boundaries ---------------------------------------------------------------------------------------------

  CsMap.prototype.loadBoundaries = function () {
    var self = this;
    var url = this.config.boundaries;
    if (!url) {
      self.el.dataset.boundaries = "0";
      return;
    }
    fetchJson(url).then(function (data) {
      var features = (data && data.features) || [];
      self.drawBoundaries(features);
    });
  };

  CsMap.prototype.drawBoundaries = function (features) {
    var self = this;
    var texts = this.texts;
    var maxDepth = 0;
    features.forEach(function (f) {
      maxDepth = Math.max(maxDepth, (f.properties && f.properties.depth) || 0);
    });
    var approximate = 0;
    var layer = L.featureGroup();
    function ring(coords) {
      return coords.map(function (c) {
        return self.pos(c[1], c[0]);
      });
    }
    features.forEach(function (feature) {
      var props = feature.properties || {};
      var geometry = feature.geometry || {};
      var latlngs;
      if (geometry.type === "Polygon") {
        latlngs = (geometry.coordinates || []).map(ring);
      } else if (geometry.type === "MultiPolygon") {
        latlngs = (geometry.coordinates || []).map(function (polygon) {
          return polygon.map(ring);
        });
      } else {
        return;
      }
      var depth = props.depth || 0;
      var innermost = depth === maxDepth && maxDepth > 0;
      var shape = L.polygon(latlngs, {
        pane: "csBoundaries",
        interactive: false,
        className:
          "cs-boundary cs-boundary-d" + depth + (innermost ? " cs-boundary-inner" : "") +
          (props.approximate ? " cs-boundary-approximate" : ""),
        color: "#51647a",
        weight: innermost ? 1.5 : 3,
        dashArray: props.approximate ? "6 4" : null,
        fill: innermost || maxDepth === 0,
        fillColor: "#fbf8f0",
        fillOpacity: 0.6,
      });
      if (props.approximate) {
        approximate += 1;
      }
      // The names of the innermost level, in the middle: without tiles the map reads like a paper one.
      if (depth === maxDepth) {
        var label = props.name + (props.approximate ? "（" + (texts.approximate || "") + "）" : "");
        // A little above the middle, where a gathering placed at the territory's centre would hide it.
        shape.bindTooltip(label, {
          permanent: true,
          direction: "center",
          offset: [0, -18],
          className: "cs-boundary-label",
        });
      }
      shape.addTo(layer);
    });
    this.register("boundaries", this.texts.boundaries, layer, true);
    this.el.dataset.boundaries = String(features.length);
    this.el.dataset.approximateBoundaries = String(approximate);
    if (features.length) {
      this.addClass("--boundaries");
      this.updateNote();
      if (approximate) {
        var note = textNode("div", texts.approximateNote || "", "cs-map-approximate");
        this.el.appendChild(note);
      }
      this.boundaryBounds = layer.getBounds();
      if (!this.dataBounds.length || this.config.fit === "territory") {
        this.fit();
      }
      if (Object.keys(this.layers).length > 1 && !this.control._map) {
        this.control.addTo(this.map);
      }
    }
  };

  // --- layers ---------------------------------------------------------------------------------------------------

  CsMap.prototype.addLayer = function (spec) {
    var kind = spec.type;
    if (kind === "points") {
      this.pointsLayer(spec);
    } else if (kind === "marker") {
      this.markerLayer(spec);
    } else if (kind === "zones") {
      this.zonesLayer(spec);
    } else if (kind === "heat") {
      this.heatLayer(spec);
    }
  };

  CsMap.prototype.popup = function (p) {
    var box = document.createElement("div");
    box.className = "cs-popup";
    if (p.url) {
      var link = textNode("a", p.title || this.texts.open || "");
      link.href = p.url;
      box.appendChild(link);
    } else {
      box.appendChild(textNode("strong", p.title));
    }
    (p.lines || []).forEach(function (line) {
      box.appendChild(textNode("div", line));
    });
    if (p.approx) {
      box.appendChild(textNode("div", this.texts.approximatePosition, "cs-popup-approx"));
    }
    return box;
  };

  CsMap.prototype.drawPoints = function (spec, group, points) {
    var self = this;
    group.clearLayers();
    var counts = { red: 0, orange: 0, yellow: 0, blue: 0 };
    var clusters = 0;
    // The most serious last, so that red is drawn on top.
    points
      .slice()
      .sort(function (a, b) {
        return (LEVEL_ORDER[a.level] || 0) - (LEVEL_ORDER[b.level] || 0);
      })
      .forEach(function (p) {
        var ll = self.pos(p.lat, p.lng);
        var level = LEVEL_ORDER[p.level] === undefined ? "blue" : p.level;
        if (p.count) {
          // A cluster made by the server (crowdsafe/org/maps.py clusters): too many to send one by one.
          self.drawCluster(spec, group, p, ll, level, counts);
          clusters += 1;
          if (spec.fit !== false) {
            self.dataBounds.push(ll);
          }
          return;
        }
        counts[level] += 1;
        var marker = L.circleMarker(ll, {
          radius: spec.radius || RADIUS[level],
          color: spec.stroke || "#ffffff",
          weight: 2,
          dashArray: p.approx ? "3 3" : null,
          fillColor: self.colours[level] || "#888888",
          fillOpacity: 0.9,
          className:
            "cs-dot cs-dot-" + (spec.key || "points") + (spec.dot_class ? " " + spec.dot_class + " " + spec.dot_class + "-" + level : ""),
        });
        marker.bindPopup(self.popup(p));
        if (p.title) {
          marker.bindTooltip(String(p.title) + (p.tip ? " · " + p.tip : ""));
        }
        marker.on("add", function () {
          var node = marker.getElement && marker.getElement();
          if (node) {
            node.setAttribute("data-level", level);
            node.setAttribute("data-layer", spec.key || "points");
          }
        });
        marker.addTo(group);
        if (spec.fit !== false) {
          self.dataBounds.push(ll);
        }
      });
    var total = counts.red + counts.orange + counts.yellow + counts.blue;
    this.el.setAttribute("data-count-" + (spec.key || "points"), String(total));
    this.el.setAttribute("data-clusters-" + (spec.key || "points"), String(clusters));
    ["red", "orange", "yellow", "blue"].forEach(function (level) {
      self.el.setAttribute("data-count-" + (spec.key || "points") + "-" + level, String(counts[level]));
    });
    return total;
  };

  // A cluster: a disc in the colour of its most serious level, with its number; its popup gives the number per
  // level. Sized by class (no inline style: the CSP), the icon's size to match.
  var CLUSTER_SIZES = [
    [10, "s", 26],
    [100, "m", 34],
    [1000, "l", 42],
    [Infinity, "xl", 50],
  ];

  CsMap.prototype.drawCluster = function (spec, group, p, ll, level, counts) {
    var n = Number(p.count) || 0;
    var size = CLUSTER_SIZES[CLUSTER_SIZES.length - 1];
    for (var i = 0; i < CLUSTER_SIZES.length; i += 1) {
      if (n < CLUSTER_SIZES[i][0]) {
        size = CLUSTER_SIZES[i];
        break;
      }
    }
    var label = document.createElement("span");
    label.textContent = String(n);
    var marker = L.marker(ll, {
      icon: L.divIcon({
        html: label,
        className: "cs-cluster cs-cluster-" + size[1] + " cs-cluster-" + level + " cs-cluster-" + (spec.key || "points"),
        iconSize: [size[2], size[2]],
      }),
      title: p.title || "",
      keyboard: true,
    });
    marker.bindPopup(this.popup(p));
    marker.on("add", function () {
      var node = marker.getElement && marker.getElement();
      if (node) {
        node.setAttribute("data-level", level);
        node.setAttribute("data-count", String(n));
        node.setAttribute("data-layer", spec.key || "points");
      }
    });
    marker.addTo(group);
    var byLevel = p.counts || {};
    ["red", "orange", "yellow", "blue"].forEach(function (name) {
      counts[name] += Number(byLevel[name]) || 0;
    });
  };

  CsMap.prototype.pointsLayer = function (spec) {
    var group = L.featureGroup();
    var points = spec.data_id ? readJson(spec.data_id, []) : spec.points || [];
    var total = this.drawPoints(spec, group, points);
    this.register(spec.key, spec.name, group, spec.visible);
    if (spec.count_attr) {
      this.el.dataset[spec.count_attr] = String(total);
    }
  };

  CsMap.prototype.markerLayer = function (spec) {
    var p = spec.point;
    var ll = this.pos(p.lat, p.lng);
    var icon = L.icon({
      iconUrl: spec.icon,
      iconRetinaUrl: spec.iconRetina,
      shadowUrl: spec.shadow,
      iconSize: [25, 41],
      iconAnchor: [12, 41],
      popupAnchor: [1, -34],
      tooltipAnchor: [16, -28],
      shadowSize: [41, 41],
    });
    var marker = L.marker(ll, { icon: icon, title: spec.name, alt: spec.name });
    marker.bindTooltip(spec.name);
    this.register(spec.key || "marker", null, marker, true);
    this.dataBounds.push(ll);
  };

  CsMap.prototype.zonesLayer = function (spec) {
    var self = this;
    var group = L.featureGroup();
    var polygons = {};
    var LEVELS = ["blue", "yellow", "orange", "red"];
    function zoneClass(level) {
      return "mon-zone mon-zone-" + (LEVELS.indexOf(level) >= 0 ? level : "blue");
    }
    function recolour() {
      var levels = readJson(spec.levels_id, {});
      var changed = 0;
      Object.keys(polygons).forEach(function (id) {
        var entry = polygons[id];
        var level = levels[id];
        var path = entry.layer.getElement && entry.layer.getElement();
        if (level && level !== entry.level) {
          if (path) {
            path.setAttribute("class", zoneClass(level) + (spec.link ? " leaflet-interactive" : ""));
          }
          entry.level = level;
          changed += 1;
        }
        if (path) {
          path.setAttribute("data-level", entry.level);
          path.setAttribute("data-zone", id);
        }
      });
      self.el.dataset.recoloured = String(Number(self.el.dataset.recoloured || "0") + changed);
    }
    function draw(data) {
      // A list of shapes, or {shapes, clusters, count}: beyond a few thousand zones the server sends clusters.
      var shapes = Array.isArray(data) ? data : (data && data.shapes) || [];
      var zoneClusters = Array.isArray(data) ? [] : (data && data.clusters) || [];
      var counts = { red: 0, orange: 0, yellow: 0, blue: 0 };
      zoneClusters.forEach(function (p) {
        var level = LEVEL_ORDER[p.level] === undefined ? "blue" : p.level;
        self.drawCluster(spec, group, p, self.pos(p.lat, p.lng), level, counts);
      });
      self.el.dataset.zoneClusters = String(zoneClusters.length);
      var bounds = [];
      shapes.forEach(function (shape) {
        var ring = shape.ring.map(function (pt) {
          return self.pos(pt[0], pt[1]);
        });
        var polygon = L.polygon(ring, {
          pane: "csZones",
          className: zoneClass(shape.level),
          weight: 2,
          fillOpacity: 0.55,
          interactive: Boolean(spec.link || shape.url),
        });
        polygon.bindTooltip(String(shape.name));
        var url = shape.url || (spec.link ? spec.link.replace(/\/0\/$/, "/" + shape.id + "/") : "");
        if (url) {
          polygon.on("click", function () {
            root.location.href = url;
          });
        }
        polygon.addTo(group);
        polygons[shape.id] = { layer: polygon, level: shape.level };
        ring.forEach(function (pt) {
          bounds.push(pt);
        });
      });
      if (spec.fit !== false && bounds.length) {
        self.dataBounds = self.dataBounds.concat(bounds);
        self.fit();
      }
      recolour();
      self.el.dataset.zones = String(shapes.length);
      self.el.dataset.zonesReady = "true";
    }
    this.register(spec.key || "zones", spec.name, group, spec.visible);
    this.refreshers = this.refreshers || [];
    this.refreshers.push(recolour);
    if (spec.url) {
      fetchJson(spec.url).then(function (data) {
        draw(data || []);
      });
    } else {
      draw(spec.shapes || readJson(spec.data_id, []));
    }
  };

  CsMap.prototype.heatLayer = function (spec) {
    var self = this;
    if (!L.heatLayer) {
      return;
    }
    var raw = spec.data_id ? readJson(spec.data_id, []) : spec.points || [];
    var points = raw.map(function (p) {
      var ll = self.pos(p[0], p[1]);
      return [ll[0], ll[1], p[2] == null ? 0.5 : p[2]];
    });
    var layer = L.heatLayer(points, {
      pane: "csHeat",
      radius: spec.radius || 22,
      blur: 18,
      // No maxZoom: the plugin's intensity zoom would also make the layer control disable its box above it.
      max: 1.0,
      gradient: HEAT_GRADIENT,
    });
    this.register(spec.key || "heat", spec.name, layer, spec.visible);
    this.heat = { spec: spec, layer: layer };
    this.el.dataset.heatPoints = String(points.length);
  };

  // After an htmx swap: the layers read from json_script blocks are redrawn, the zones recoloured.
  CsMap.prototype.refresh = function () {
    var self = this;
    (this.config.layers || []).forEach(function (spec) {
      if (!spec.refresh || !spec.data_id || !document.getElementById(spec.data_id)) {
        return;
      }
      if (spec.type === "points" && self.layers[spec.key]) {
        self.drawPoints(spec, self.layers[spec.key], readJson(spec.data_id, []));
      } else if (spec.type === "heat" && self.heat) {
        var pts = readJson(spec.data_id, []).map(function (p) {
          var ll = self.pos(p[0], p[1]);
          return [ll[0], ll[1], p[2] == null ? 0.5 : p[2]];
        });
        self.heat.layer.setLatLngs(pts);
      }
    });
    (this.refreshers || []).forEach(function (fn) {
      fn();
    });
  };

  function init(el) {
    if (el.dataset.mapReady) {
      return;
    }
    var config = readJson(el.getAttribute("data-cs-map"), null);
    if (!config) {
      return;
    }
    var map = new CsMap(el, config);
    map.start();
    api.maps.push(map);
  }

  function start() {
    document.querySelectorAll("[data-cs-map]").forEach(init);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})(typeof window !== "undefined" ? window : globalThis);
