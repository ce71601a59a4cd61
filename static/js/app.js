/* CrowdSafe page shell. Everything works without this file; it only makes the phone menu friendlier:
   Escape or a tap outside closes it, and following a link inside it closes it too. */
(function () {
  "use strict";

  function closeMenus(except) {
    document.querySelectorAll("details.nav-mobile[open]").forEach(function (menu) {
      if (menu !== except) {
        menu.removeAttribute("open");
      }
    });
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var open = document.querySelector("details.nav-mobile[open]");
    if (open) {
      open.removeAttribute("open");
      open.querySelector("summary").focus();
    }
  });

  document.addEventListener("click", function (event) {
    var menu = event.target.closest("details.nav-mobile");
    closeMenus(menu);
    if (menu && event.target.closest(".menu-panel a")) {
      menu.removeAttribute("open");
    }
  });
})();
