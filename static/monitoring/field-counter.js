/* The clicker of the phone view (vanilla JS). Big + and − buttons change the count shown; a moment after the
   last tap (or on "Send") the count is queued with the time it was seen and sent to
   POST /api/v1/monitoring/zones/<id>/counts/ (session and CSRF token). The queue lives in localStorage: when
   the network fails nothing is lost, and the queue is sent, oldest first, when the network is back (the
   "online" event, and a retry every 15 s). Each count keeps its own observed_at, and the server stores one
   reading per (source, zone, observed_at), so a count sent twice (a reply lost on the way back) is stored once.
   All texts come from data attributes (translated on the server). */
(function () {
  "use strict";

  var box = document.querySelector("[data-counter]");
  if (!box) {
    return;
  }
  var d = box.dataset;
  var KEY = "crowdsafe.counter.v1:" + d.zone;
  var valueEl = box.querySelector("[data-counter-value]");
  var statusEl = box.querySelector("[data-counter-status]");
  var setForm = box.querySelector("[data-counter-set]");
  var DEBOUNCE_MS = 1500;
  var timer = null;
  var sending = false;

  function fmt(text, values) {
    return String(text || "").replace(/%\((\w+)\)s/g, function (_m, key) {
      return values[key] !== undefined ? values[key] : "";
    });
  }

  function load() {
    try {
      var kept = JSON.parse(window.localStorage.getItem(KEY) || "null");
      if (kept && typeof kept.count === "number" && Array.isArray(kept.queue)) {
        return kept;
      }
    } catch (e) {
      /* nothing kept */
    }
    return { count: parseInt(d.start, 10) || 0, queue: [] };
  }

  var state = load();

  function save() {
    try {
      window.localStorage.setItem(KEY, JSON.stringify(state));
    } catch (e) {
      /* private mode or full storage: counting still works while the page is open */
    }
  }

  function show() {
    valueEl.textContent = String(state.count);
    box.dataset.queued = String(state.queue.length);
  }

  function status(text, kind) {
    statusEl.textContent = text;
    statusEl.className = "mon-counter-status small" + (kind ? " is-" + kind : "");
    box.dataset.status = kind || "";
  }

  function enqueue() {
    state.queue.push({ count: state.count, observed_at: new Date().toISOString() });
    save();
    show();
    flush();
  }

  function changed() {
    save();
    show();
    if (timer) {
      clearTimeout(timer);
    }
    timer = setTimeout(function () {
      timer = null;
      enqueue();
    }, DEBOUNCE_MS);
  }

  function flush() {
    if (sending || !state.queue.length) {
      return;
    }
    sending = true;
    status(d.msgWaiting, "sending");
    var item = state.queue[0];
    fetch(d.endpoint, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": d.csrfToken, Accept: "application/json" },
      body: JSON.stringify(item),
    })
      .then(function (response) {
        if (response.status === 401 || response.status === 403) {
          sending = false;
          status(d.msgSignin, "error");
          return null;
        }
        if (response.status >= 500) {
          throw new Error("server " + response.status);
        }
        return response.json().then(
          function (body) {
            return { ok: response.ok, body: body };
          },
          function () {
            return { ok: response.ok, body: {} };
          }
        );
      })
      .then(function (result) {
        if (!result) {
          return;
        }
        state.queue.shift();
        save();
        show();
        sending = false;
        if (result.ok && !(result.body.rejected && result.body.rejected.length)) {
          status(fmt(d.msgSent, { time: new Date().toLocaleTimeString() }), "ok");
        } else {
          var reason = (result.body.rejected && result.body.rejected[0] && result.body.rejected[0].reason) ||
            result.body.detail || result.body.count || "";
          status(fmt(d.msgRefused, { reason: String(reason) }), "error");
        }
        flush();
      })
      .catch(function () {
        sending = false;
        status(fmt(d.msgKept, { n: state.queue.length }), "offline");
      });
  }

  box.querySelectorAll("[data-step]").forEach(function (button) {
    button.addEventListener("click", function () {
      state.count = Math.max(0, state.count + parseInt(button.dataset.step, 10));
      changed();
    });
  });
  if (setForm) {
    setForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var input = setForm.querySelector("[name=count]");
      var value = parseInt(input.value, 10);
      if (isNaN(value) || value < 0) {
        return;
      }
      state.count = value;
      input.value = "";
      if (timer) {
        clearTimeout(timer);
        timer = null;
      }
      enqueue();
    });
  }
  window.addEventListener("online", flush);
  setInterval(flush, 15000);
  show();
  if (state.queue.length) {
    status(fmt(d.msgKept, { n: state.queue.length }), "offline");
    flush();
  }
  box.dataset.ready = "true";
})();
