/* Pick a jurisdiction by name (issue 20 point 3). Filters and forms take a division code (e.g. 410502001001G01);
   this turns every such input (input[data-jurisdiction-picker], or one tied to a "…-territories" or "…-grids"
   datalist) into a search-as-you-type combobox of names: the typed text asks /pickers/jurisdictions/?q= (only the territories the
   user may see, at most 20), a list of names opens under the field, and picking one puts its code into the
   original input, which is kept as a hidden field: the form still submits the code. Keyboard: Down/Up move,
   Enter picks, Escape closes. Without script the input and its datalist work as before. No inline script or
   style (the Content-Security-Policy has no unsafe-inline): the list is styled in app.css.
   Other pickers: an input with data-picker-url (an app's search, answering the same rows) and data-picker-empty
   gets the same combobox over that URL; there the typed text is sent as typed unless a row was picked (then its
   code), and the server searches it — as it does when script is off. */
(function () {
  "use strict";

  var script = document.currentScript;
  var url = (script && script.getAttribute("data-url")) || "/pickers/jurisdictions/";
  var noMatch = (script && script.getAttribute("data-msg-empty")) || "";
  var CODE = /^[0-9]{6}[0-9G]*$/i;
  var counter = 0;

  function fetchJson(base, query, done) {
    var request = new XMLHttpRequest();
    request.open("GET", base + (base.indexOf("?") < 0 ? "?" : "&") + query);
    request.setRequestHeader("Accept", "application/json");
    request.onload = function () {
      if (request.status === 200) {
        try {
          done(JSON.parse(request.responseText).results || []);
        } catch (e) {
          done([]);
        }
      }
    };
    request.send();
  }

  function enhance(input) {
    if (input.getAttribute("data-picker-ready")) {
      return;
    }
    input.setAttribute("data-picker-ready", "1");
    // An app's own picker: its URL, its "nothing found" line, and free text sent as typed.
    var ownUrl = input.getAttribute("data-picker-url");
    var searchUrl = ownUrl || url;
    var emptyText = input.getAttribute("data-picker-empty") || noMatch;
    counter += 1;
    var listId = "jurisdiction-picker-list-" + counter;

    // The visible combobox takes the input's id (its <label for> keeps pointing at what the person types in).
    var box = document.createElement("input");
    box.type = "text";
    box.className = input.className;
    box.id = input.id || "jurisdiction-picker-" + counter;
    box.setAttribute("role", "combobox");
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-expanded", "false");
    box.setAttribute("aria-controls", listId);
    box.setAttribute("autocomplete", "off");
    box.setAttribute("data-jurisdiction-name", "");
    if (input.required) {
      box.required = true;
    }
    var described = input.getAttribute("aria-describedby");
    if (described) {
      box.setAttribute("aria-describedby", described);
    }
    if (input.getAttribute("aria-invalid")) {
      box.setAttribute("aria-invalid", input.getAttribute("aria-invalid"));
    }
    box.value = input.value;

    // The length counter of forms.js counted the code; the name typed instead has no such limit.
    var lengthCounter = document.getElementById(box.id + "-length");
    if (lengthCounter) {
      lengthCounter.parentNode.removeChild(lengthCounter);
    }
    input.id = box.id + "_code";
    input.type = "hidden";
    input.removeAttribute("list");
    input.removeAttribute("maxlength");

    var list = document.createElement("ul");
    list.id = listId;
    list.className = "picker-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;

    var wrap = document.createElement("span");
    wrap.className = "picker";
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(box);
    wrap.appendChild(list);
    wrap.appendChild(input);

    var results = [];
    var active = -1;
    var timer = null;
    var asked = "";

    function close() {
      list.hidden = true;
      box.setAttribute("aria-expanded", "false");
      box.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var items = list.querySelectorAll("[role=option]");
      active = index;
      for (var i = 0; i < items.length; i += 1) {
        items[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
      if (index >= 0 && items[index]) {
        box.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      } else {
        box.removeAttribute("aria-activedescendant");
      }
    }

    function pick(index) {
      var row = results[index];
      if (!row) {
        return;
      }
      input.value = row.code;
      box.value = row.name;
      box.setAttribute("data-jurisdiction-name", row.name);
      close();
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function show(rows) {
      results = rows;
      list.textContent = "";
      if (!rows.length) {
        if (!emptyText) {
          close();
          return;
        }
        var empty = document.createElement("li");
        empty.className = "picker-empty";
        empty.textContent = emptyText;
        list.appendChild(empty);
      }
      rows.forEach(function (row, i) {
        var item = document.createElement("li");
        item.id = listId + "-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.setAttribute("data-code", row.code);
        var name = document.createElement("span");
        name.textContent = row.name;
        var where = document.createElement("span");
        where.className = "picker-where";
        where.textContent = [row.level, row.parent].filter(Boolean).join(" · ");
        item.appendChild(name);
        item.appendChild(where);
        item.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the field
          pick(i);
        });
        list.appendChild(item);
      });
      list.hidden = false;
      box.setAttribute("aria-expanded", "true");
      active = -1;
    }

    function search() {
      var text = box.value.trim();
      if (!text) {
        close();
        return;
      }
      asked = text;
      fetchJson(searchUrl, "q=" + encodeURIComponent(text), function (rows) {
        if (asked === text) {
          show(rows);
        }
      });
    }

    box.addEventListener("input", function () {
      // What is typed is a code only if it looks like one; a name not picked from the list sets no filter.
      var text = box.value.trim();
      if (ownUrl) {
        input.value = text;
      } else {
        input.value = CODE.test(text) ? text.toUpperCase() : "";
      }
      box.setAttribute("data-jurisdiction-name", "");
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 150);
    });
    box.addEventListener("keydown", function (event) {
      var open = !list.hidden && results.length;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!open) {
          search();
        } else {
          highlight(Math.min(active + 1, results.length - 1));
        }
      } else if (event.key === "ArrowUp" && open) {
        event.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault();
        pick(active);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      }
    });
    box.addEventListener("blur", close);

    // A code already in the field (a filter applied) is shown by its name.
    if (input.value && !ownUrl) {
      fetchJson(searchUrl, "code=" + encodeURIComponent(input.value), function (rows) {
        if (rows.length && box.value === input.value) {
          box.value = rows[0].name;
          box.setAttribute("data-jurisdiction-name", rows[0].name);
        }
      });
    }
  }

  function enhanceAll(root) {
    var inputs = (root || document).querySelectorAll(
      'input[data-jurisdiction-picker], input[data-picker-url], input[list$="-territories"], input[list$="-grids"]'
    );
    for (var i = 0; i < inputs.length; i += 1) {
      if (inputs[i].type !== "hidden") {
        enhance(inputs[i]);
      }
    }
  }

  enhanceAll(document);
  document.addEventListener("htmx:afterSwap", function (event) {
    enhanceAll(event.target);
  });
})();
