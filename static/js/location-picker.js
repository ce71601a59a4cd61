/* Pick a place on a map or take the phone's position (issue 20 point 3), instead of typing WGS-84 coordinates.
   [data-location-picker] names its latitude and longitude inputs (data-lat-input, data-lng-input, element ids);
   a click (or tap) on the map puts a marker there and fills both fields (6 decimals), and the
   [data-use-position] button asks navigator.geolocation (the Permissions-Policy allows it for the platform's own
   pages) and does the same. Typing in the fields still works and moves the marker. Leaflet is vendored; with no
   tile server (settings.MAP_TILE_URL empty) the map is a plain background and a click still picks the point.
   Everything comes from data attributes: no inline script or style. */
(function () {
  "use strict";

  function init(el) {
    if (!window.L || el.getAttribute("data-map-ready")) {
      return;
    }
    var latInput = document.getElementById(el.getAttribute("data-lat-input"));
    var lngInput = document.getElementById(el.getAttribute("data-lng-input"));
    if (!latInput || !lngInput) {
      return;
    }
    var status = el.parentNode.querySelector("[data-position-status]");
    var button = el.parentNode.querySelector("[data-use-position]");
    var lat = parseFloat(latInput.value);
    var lng = parseFloat(lngInput.value);
    var known = !isNaN(lat) && !isNaN(lng);
    var center = known ? [lat, lng] : [parseFloat(el.dataset.lat), parseFloat(el.dataset.lng)];
    if (isNaN(center[0]) || isNaN(center[1])) {
      center = [36.0976, 114.3926];
    }
    var map = L.map(el, { scrollWheelZoom: false }).setView(center, known ? 17 : 14);
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    if (el.dataset.tileUrl) {
      L.tileLayer(el.dataset.tileUrl, { maxZoom: 19, attribution: el.dataset.tileAttribution || "" }).addTo(map);
    } else {
      el.classList.add("location-map--no-tiles");
    }
    var icon = L.icon({
      iconUrl: el.dataset.iconUrl,
      iconRetinaUrl: el.dataset.iconRetinaUrl,
      shadowUrl: el.dataset.shadowUrl,
      iconSize: [25, 41],
      iconAnchor: [12, 41],
      shadowSize: [41, 41],
    });
    var marker = null;

    function say(text, state) {
      if (status) {
        status.textContent = text || "";
        status.setAttribute("data-state", state || "");
      }
    }

    function place(latlng, pan) {
      if (marker) {
        marker.setLatLng(latlng);
      } else {
        marker = L.marker(latlng, { icon: icon, alt: el.dataset.markerText || "", keyboard: false }).addTo(map);
      }
      if (pan) {
        map.setView(latlng, Math.max(map.getZoom(), 17));
      }
    }

    function fill(latitude, longitude, pan) {
      latInput.value = latitude.toFixed(6);
      lngInput.value = longitude.toFixed(6);
      latInput.dispatchEvent(new Event("change", { bubbles: true }));
      lngInput.dispatchEvent(new Event("change", { bubbles: true }));
      place([latitude, longitude], pan);
    }

    if (known) {
      place(center, false);
    }
    map.on("click", function (event) {
      fill(event.latlng.lat, event.latlng.lng, false);
      say(el.dataset.pickedText || "", "ok");
    });
    function typed() {
      var a = parseFloat(latInput.value);
      var b = parseFloat(lngInput.value);
      if (!isNaN(a) && !isNaN(b) && Math.abs(a) <= 90 && Math.abs(b) <= 180) {
        place([a, b], true);
      }
    }
    latInput.addEventListener("input", typed);
    lngInput.addEventListener("input", typed);

    if (button) {
      if (!navigator.geolocation) {
        button.hidden = true;
      } else {
        button.hidden = false;
        button.addEventListener("click", function () {
          say(el.dataset.locatingText || "", "busy");
          navigator.geolocation.getCurrentPosition(
            function (position) {
              fill(position.coords.latitude, position.coords.longitude, true);
              say(el.dataset.locatedText || "", "ok");
            },
            function () {
              say(el.dataset.deniedText || "", "error");
            },
            { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
          );
        });
      }
    }
    el.setAttribute("data-map-ready", "true");
  }

  function start() {
    document.querySelectorAll("[data-location-picker]").forEach(init);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
