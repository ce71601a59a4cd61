/* The phone-first logging form for grid workers (vanilla JS, no library).

   - A form key (idempotency key) per form instance: the server made one; a draft restored after a reload keeps
     its own, so a resend of the same report finds the record the first send made (one record, however many
     sends or taps).
   - A draft in localStorage: everything typed is kept on the phone as it is typed, and restored when the page
     is opened again; it is cleared only when the server has taken the report.
   - Sending with fetch: the button is disabled while sending; when the network fails the worker is told that
     nothing is lost and can send again; field errors from the server are shown next to their fields.
   - The device location when the worker allows it (a refusal just asks for the place's name).
   - Photos checked before sending (type, 5 MB, how many), with the same message the server gives.
   All texts come from data attributes of the form (translated on the server). */
(function () {
  "use strict";

  var form = document.querySelector("[data-gathering-form]");
  var anyForm = form || document.querySelector("form.log-form");
  if (!anyForm) {
    return;
  }
  var d = anyForm.dataset;
  var banner = anyForm.querySelector("[data-log-banner]");
  var DRAFT_PREFIX = "crowdsafe.gathering-draft.v1:";
  var SKIP = { csrfmiddlewaretoken: true, photos: true };
  var PHOTO_TYPES = { "image/jpeg": true, "image/png": true, "image/webp": true };

  function fmt(text, values) {
    return String(text || "").replace(/%\((\w+)\)s/g, function (_m, key) {
      return values[key] !== undefined ? values[key] : "";
    });
  }

  function showBanner(kind, text, actions) {
    if (!banner) {
      return;
    }
    banner.hidden = false;
    banner.className = "log-banner notice " + (kind === "error" ? "notice-error" : kind === "ok" ? "notice-ok" : "");
    banner.textContent = "";
    var p = document.createElement("p");
    p.textContent = text;
    p.style.margin = "0";
    banner.appendChild(p);
    (actions || []).forEach(function (action) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = action.primary ? "btn btn-primary" : "btn";
      button.textContent = action.label;
      button.setAttribute("data-action", action.name);
      button.addEventListener("click", action.run);
      banner.appendChild(document.createTextNode(" "));
      banner.appendChild(button);
    });
  }

  function hideBanner() {
    if (banner) {
      banner.hidden = true;
      banner.textContent = "";
    }
  }

  // --- attendance quick choice -------------------------------------------------------------------------
  var minInput = anyForm.querySelector("[name=estimated_attendance_min]");
  var maxInput = anyForm.querySelector("[name=estimated_attendance_max]");
  anyForm.querySelectorAll("[data-range]").forEach(function (chip) {
    chip.setAttribute("aria-pressed", "false");
    chip.addEventListener("click", function () {
      var parts = chip.dataset.range.split("-");
      if (minInput) {
        minInput.value = parts[0];
      }
      if (maxInput) {
        maxInput.value = parts[1];
      }
      anyForm.querySelectorAll("[data-range]").forEach(function (other) {
        other.setAttribute("aria-pressed", other === chip ? "true" : "false");
      });
      anyForm.dispatchEvent(new Event("input", { bubbles: true }));
    });
  });

  // --- device location ---------------------------------------------------------------------------------
  var locateButton = anyForm.querySelector("[data-locate]");
  var locateStatus = anyForm.querySelector("[data-locate-status]");

  function setLocateStatus(text, state) {
    if (locateStatus) {
      locateStatus.textContent = text;
      locateStatus.className = "locate-status" + (state ? " " + state : "");
      locateStatus.dataset.state = state || "";
    }
  }

  function locate() {
    if (!("geolocation" in navigator)) {
      setLocateStatus(d.msgUnavailable, "refused");
      return;
    }
    setLocateStatus(d.msgLocating, "");
    navigator.geolocation.getCurrentPosition(
      function (position) {
        var c = position.coords;
        anyForm.querySelector("[name=latitude]").value = c.latitude.toFixed(6);
        anyForm.querySelector("[name=longitude]").value = c.longitude.toFixed(6);
        anyForm.querySelector("[name=location_accuracy_m]").value = String(Math.round(c.accuracy || 0));
        setLocateStatus(fmt(d.msgLocated, { metres: Math.round(c.accuracy || 0) }), "ok");
        saveDraft();
      },
      function (error) {
        setLocateStatus(error && error.code === 1 ? d.msgRefused : d.msgUnavailable, "refused");
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  }

  if (locateButton) {
    locateButton.addEventListener("click", locate);
    // Where the worker has already allowed it, the location is taken at once; otherwise only on a tap.
    if (navigator.permissions && navigator.permissions.query && !anyForm.querySelector("[name=latitude]").value) {
      navigator.permissions
        .query({ name: "geolocation" })
        .then(function (status) {
          if (status.state === "granted") {
            locate();
          }
        })
        .catch(function () {});
    }
  }

  if (!form) {
    return; // editing: no draft, a plain post
  }

  // --- the draft and the form key ------------------------------------------------------------------------
  var draftKey = DRAFT_PREFIX + (d.draftScope || "anon");
  var keyInput = form.querySelector("[name=idempotency_key]");

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    (window.crypto || {}).getRandomValues
      ? window.crypto.getRandomValues(bytes)
      : bytes.forEach(function (_b, i) {
          bytes[i] = Math.floor(Math.random() * 256);
        });
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map
      .call(bytes, function (b) {
        return ("0" + b.toString(16)).slice(-2);
      })
      .join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function readDraft() {
    try {
      return JSON.parse(window.localStorage.getItem(draftKey) || "null");
    } catch (e) {
      return null;
    }
  }

  function collect() {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIP[el.name] || el.type === "file" || el.type === "submit" || el.type === "button") {
        return;
      }
      if (el.type === "radio") {
        if (el.checked) {
          values[el.name] = el.value;
        }
      } else if (el.type === "checkbox") {
        values[el.name] = el.checked;
      } else {
        values[el.name] = el.value;
      }
    });
    return values;
  }

  function saveDraft() {
    try {
      window.localStorage.setItem(draftKey, JSON.stringify({ savedAt: Date.now(), values: collect() }));
    } catch (e) {
      /* private mode or full storage: the form still works, without a draft */
    }
  }

  function clearDraft() {
    try {
      window.localStorage.removeItem(draftKey);
    } catch (e) {
      /* nothing kept */
    }
  }

  function restore(values) {
    Object.keys(values).forEach(function (name) {
      var value = values[name];
      form.querySelectorAll('[name="' + name + '"]').forEach(function (el) {
        if (el.type === "radio") {
          el.checked = el.value === value;
        } else if (el.type === "checkbox") {
          el.checked = Boolean(value);
        } else if (el.tagName === "SELECT" || el.type !== "file") {
          el.value = value;
        }
      });
    });
    if (values.latitude) {
      setLocateStatus(fmt(d.msgLocated, { metres: values.location_accuracy_m || "?" }), "ok");
    }
  }

  var draft = readDraft();
  var serverHasErrors = Boolean(form.querySelector(".errorlist"));
  if (draft && draft.values && !serverHasErrors) {
    restore(draft.values);
    showBanner("info", d.msgRestored, [
      {
        name: "discard",
        label: d.labelDiscard,
        run: function () {
          clearDraft();
          window.location.reload();
        },
      },
    ]);
  }
  if (keyInput && !keyInput.value) {
    keyInput.value = newKey();
  }
  form.addEventListener("input", saveDraft);
  form.addEventListener("change", saveDraft);

  // --- photos --------------------------------------------------------------------------------------------
  function photoProblem() {
    var input = form.querySelector("[name=photos]");
    if (!input || !input.files) {
      return "";
    }
    var max = parseInt(d.maxPhotos || "6", 10);
    if (input.files.length > max) {
      return d.msgTooMany;
    }
    var maxBytes = parseInt(d.maxBytes || "5242880", 10);
    for (var i = 0; i < input.files.length; i += 1) {
      var file = input.files[i];
      if (file.size > maxBytes || (file.type && !PHOTO_TYPES[file.type])) {
        return fmt(d.msgPhotoRefused, { name: file.name });
      }
    }
    return "";
  }

  var photoInput = form.querySelector("[name=photos]");
  if (photoInput) {
    photoInput.addEventListener("change", function () {
      var problem = photoProblem();
      if (problem) {
        showBanner("error", problem);
      } else {
        hideBanner();
      }
    });
  }

  // --- sending -------------------------------------------------------------------------------------------
  var submit = form.querySelector("[data-submit]");
  var submitLabel = submit ? submit.textContent : "";
  var sending = false;

  function clearErrors() {
    form.querySelectorAll("[data-client-error]").forEach(function (el) {
      el.remove();
    });
  }

  function showErrors(errors) {
    clearErrors();
    var first = null;
    Object.keys(errors || {}).forEach(function (field) {
      var holder = form.querySelector('[data-field="' + field + '"]') || banner;
      var list = document.createElement("ul");
      list.className = "errorlist";
      list.setAttribute("data-client-error", field);
      errors[field].forEach(function (message) {
        var li = document.createElement("li");
        li.textContent = message;
        list.appendChild(li);
      });
      holder.appendChild(list);
      first = first || holder;
    });
    if (first && first.scrollIntoView) {
      first.scrollIntoView({ block: "center" });
    }
  }

  function done() {
    sending = false;
    if (submit) {
      submit.disabled = false;
      submit.textContent = submitLabel;
    }
  }

  function send() {
    if (sending) {
      return; // a double tap while the first send is on its way
    }
    var problem = photoProblem();
    if (problem) {
      showBanner("error", problem);
      return;
    }
    saveDraft();
    sending = true;
    if (submit) {
      submit.disabled = true;
      submit.textContent = d.msgSending;
    }
    hideBanner();
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", Accept: "application/json" },
    })
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (body) {
            return { status: response.status, body: body };
          });
      })
      .then(function (result) {
        if ((result.status === 200 || result.status === 201) && result.body.url) {
          clearDraft();
          form.dataset.sent = "true";
          window.location.assign(result.body.url);
          return;
        }
        done();
        if (result.status === 400 && result.body.errors) {
          showErrors(result.body.errors);
          showBanner("error", result.body.message || d.msgInvalid);
        } else {
          showBanner("error", (result.body && result.body.detail) || d.msgError, [
            { name: "resend", label: d.labelResend, primary: true, run: send },
          ]);
        }
      })
      .catch(function () {
        // The network failed (or the answer was lost on the way back). The draft and the form key are kept:
        // sending again either creates the record or finds the one the server already made.
        done();
        showBanner("error", d.msgOffline, [{ name: "resend", label: d.labelResend, primary: true, run: send }]);
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    send();
  });
})();
