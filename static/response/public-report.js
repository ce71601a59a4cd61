// The public report page: "Use my location" fills the hidden latitude/longitude from navigator.geolocation.
// No inline code (the Content-Security-Policy allows scripts from this site only).
(function () {
  "use strict";
  function init() {
    var form = document.querySelector("[data-public-report]");
    if (!form || !("geolocation" in navigator)) return;
    var button = form.querySelector("[data-locate]");
    var status = form.querySelector("[data-locate-status]");
    var lat = form.querySelector("input[name=latitude]");
    var lng = form.querySelector("input[name=longitude]");
    if (!button || !status || !lat || !lng) return;
    button.hidden = false;
    if (lat.value && lng.value) status.textContent = status.dataset.msgOk;
    button.addEventListener("click", function () {
      status.textContent = status.dataset.msgWait;
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(
        function (position) {
          lat.value = position.coords.latitude.toFixed(6);
          lng.value = position.coords.longitude.toFixed(6);
          status.textContent = status.dataset.msgOk;
          button.disabled = false;
        },
        function () {
          status.textContent = status.dataset.msgFail;
          button.disabled = false;
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
