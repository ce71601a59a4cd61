/* Every text input and text area with a maximum length shows how much of it is used, so a limit is never met
   silently (issue 20 point 3): "87/128" appears under the field once three quarters are used, and turns into a
   warning at the limit or when a paste was cut to fit. The server refuses longer text with a message as well.
   No inline script or style: the counter is an element styled in app.css. */
(function () {
  "use strict";

  var body = document.body;
  var tooLong = (body && body.getAttribute("data-msg-too-long")) || "";

  function counterFor(field) {
    var id = field.id ? field.id + "-length" : "";
    var counter = id ? document.getElementById(id) : null;
    if (!counter) {
      counter = document.createElement("span");
      counter.className = "length-counter";
      counter.setAttribute("aria-live", "polite");
      if (id) {
        counter.id = id;
      }
      counter.hidden = true;
      field.insertAdjacentElement("afterend", counter);
    }
    return counter;
  }

  function update(field, cut) {
    var max = parseInt(field.getAttribute("maxlength"), 10);
    if (!max || max <= 0) {
      return;
    }
    var used = field.value.length;
    var counter = counterFor(field);
    var atLimit = used >= max;
    counter.hidden = !(cut || used >= max * 0.75);
    counter.classList.toggle("at-limit", atLimit || !!cut);
    counter.textContent = used + "/" + max + (cut && tooLong ? " " + tooLong.replace("{max}", max) : "");
  }

  function isLimited(target) {
    return target && target.matches && target.matches("input[maxlength], textarea[maxlength]");
  }

  document.addEventListener("input", function (event) {
    if (isLimited(event.target)) {
      update(event.target, false);
    }
  });

  document.addEventListener("paste", function (event) {
    var field = event.target;
    if (!isLimited(field) || !event.clipboardData) {
      return;
    }
    var pasted = event.clipboardData.getData("text").length;
    var selected = (field.selectionEnd || 0) - (field.selectionStart || 0);
    var max = parseInt(field.getAttribute("maxlength"), 10);
    if (field.value.length - selected + pasted > max) {
      // The browser cuts the paste to fit: say so once it has.
      window.setTimeout(function () {
        update(field, true);
      }, 0);
    }
  });

  document.querySelectorAll("input[maxlength], textarea[maxlength]").forEach(function (field) {
    if (field.value) {
      update(field, false);
    }
  });
})();
