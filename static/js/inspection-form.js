/* The phone's inspection form (issue 21 point 2): works on a bad network.

   - Every answer is kept on the phone as it is given (localStorage, one draft per inspection), so a reload or a
     dead battery loses nothing.
   - "Save and send" turns the draft into a batch with a key made on the phone (a random UUID), the phone's time
     and, when the phone gives it, its position; the batch (with its photos, as Blobs) waits in IndexedDB's outbox.
   - The outbox is sent when the phone is online: at once, when the browser says it is back online, and when the
     page is opened again. One sending at a time; a batch leaves the outbox only when the server has answered it.
     The server applies a key once (a repeat answers the stored result), so a batch whose answer was lost on the way
     is sent again harmlessly and counted once.
   Everything comes from data attributes of [data-inspection-form]: no inline script. No third-party code. */
(function () {
  "use strict";

  var DB_NAME = "crowdsafe-inspections";
  var STORE = "outbox";

  function uuid4() {
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = window.indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "key" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function tx(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode);
        var result = work(t.objectStore(STORE));
        t.oncomplete = function () { resolve(result && "result" in result ? result.result : result); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function init(form) {
    var inspection = form.getAttribute("data-inspection");
    var url = form.getAttribute("data-submit-url");
    var draftKey = "inspection-draft-" + inspection;
    var status = form.querySelector("[data-sync-status]");
    var pending = form.querySelector("[data-pending-count]");
    var sending = false;

    function say(key, extra) {
      var text = form.getAttribute("data-msg-" + key) || key;
      status.textContent = extra ? text + " " + extra : text;
      status.setAttribute("data-state", key);
    }

    function readDraft() {
      try { return JSON.parse(window.localStorage.getItem(draftKey) || "{}"); } catch (e) { return {}; }
    }

    function writeDraft() {
      var draft = {};
      form.querySelectorAll("[data-item]").forEach(function (card) {
        var id = card.getAttribute("data-item");
        var entry = {};
        var checked = card.querySelector("input[type=radio]:checked");
        var number = card.querySelector("input[data-number]");
        var note = card.querySelector("textarea[data-note]");
        if (checked) { entry.answer = checked.value; }
        if (number && number.value !== "") { entry.number = number.value; }
        if (number && card.querySelector("input[data-na]:checked")) { entry.answer = "na"; }
        if (note && note.value) { entry.note = note.value; }
        if (Object.keys(entry).length) { draft[id] = entry; }
      });
      window.localStorage.setItem(draftKey, JSON.stringify(draft));
      say("saved-locally");
    }

    function restoreDraft() {
      var draft = readDraft();
      Object.keys(draft).forEach(function (id) {
        var card = form.querySelector('[data-item="' + id + '"]');
        if (!card) { return; }
        var entry = draft[id];
        if (entry.answer) {
          var radio = card.querySelector('input[type=radio][value="' + entry.answer + '"]');
          if (radio) { radio.checked = true; }
          var na = card.querySelector("input[data-na]");
          if (na && entry.answer === "na") { na.checked = true; }
        }
        var number = card.querySelector("input[data-number]");
        if (number && entry.number !== undefined) { number.value = entry.number; }
        var note = card.querySelector("textarea[data-note]");
        if (note && entry.note) { note.value = entry.note; }
      });
    }

    function position() {
      return new Promise(function (resolve) {
        if (!navigator.geolocation) { resolve(null); return; }
        navigator.geolocation.getCurrentPosition(
          function (p) { resolve({ latitude: p.coords.latitude.toFixed(6), longitude: p.coords.longitude.toFixed(6) }); },
          function () { resolve(null); },
          { timeout: 5000, maximumAge: 60000 }
        );
      });
    }

    function countPending() {
      return tx("readonly", function (store) { return store.count(); }).then(function (n) {
        if (pending) { pending.textContent = n ? String(n) : ""; }
        return n;
      });
    }

    function queue() {
      var draft = readDraft();
      var answers = Object.keys(draft).map(function (id) {
        var e = draft[id];
        return { item: Number(id), answer: e.answer || "", number: e.number, note: e.note || "" };
      });
      var files = [];
      form.querySelectorAll("input[type=file][data-photo]").forEach(function (input) {
        Array.prototype.forEach.call(input.files || [], function (f) {
          files.push({ item: input.getAttribute("data-photo"), blob: f, name: f.name, type: f.type });
        });
      });
      if (!answers.length && !files.length) {
        say("nothing");
        return Promise.resolve(false);
      }
      return position().then(function (where) {
        var batch = {
          key: uuid4(),
          inspection: inspection,
          url: url,
          payload: {
            answers: answers,
            device_time: new Date().toISOString(),
            latitude: where ? where.latitude : null,
            longitude: where ? where.longitude : null
          },
          files: files
        };
        batch.payload.key = batch.key;
        return tx("readwrite", function (store) { store.put(batch); }).then(function () {
          window.localStorage.removeItem(draftKey);
          form.querySelectorAll("input[type=file][data-photo]").forEach(function (input) { input.value = ""; });
          form.querySelectorAll("[data-photo-count]").forEach(function (span) { span.textContent = ""; });
          return true;
        });
      });
    }

    function sendOne(batch) {
      var body = new FormData();
      body.append("payload", JSON.stringify(batch.payload));
      batch.files.forEach(function (f) { body.append("photo-" + f.item, f.blob, f.name); });
      return fetch(batch.url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(form), "Accept": "application/json" }
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          return { ok: response.ok, status: response.status, data: data };
        });
      });
    }

    function flush() {
      if (sending) { return Promise.resolve(); }
      if (navigator.onLine === false) {
        return countPending().then(function (n) { if (n) { say("offline"); } });
      }
      sending = true;
      return tx("readonly", function (store) { return store.getAll(); })
        .then(function (batches) {
          var mine = batches.filter(function (b) { return b.inspection === inspection; });
          return mine.reduce(function (chain, batch) {
            return chain.then(function () {
              say("sending");
              return sendOne(batch).then(function (result) {
                if (result.ok || (result.status >= 400 && result.status < 500)) {
                  // Answered: applied (or applied before: a repeat), or refused for good (shown, not retried).
                  return tx("readwrite", function (store) { store.delete(batch.key); }).then(function () {
                    if (result.ok) {
                      say("sent", result.data.failed ? "(" + form.getAttribute("data-msg-failed") + result.data.failed + ")" : "");
                      form.setAttribute("data-last-sent", batch.key);
                    } else {
                      say("refused", result.data.error || "");
                    }
                  });
                }
                say("offline");
                return undefined;
              });
            });
          }, Promise.resolve());
        })
        .catch(function () { say("offline"); })
        .then(function () { sending = false; return countPending(); });
    }

    form.addEventListener("input", writeDraft);
    form.addEventListener("change", function (event) {
      if (!event.target.matches("input[type=file][data-photo]")) { return; }
      var count = event.target.closest("[data-item]").querySelector("[data-photo-count]");
      var n = event.target.files ? event.target.files.length : 0;
      if (count) { count.textContent = n ? form.getAttribute("data-msg-photos") + n : ""; }
    });
    form.addEventListener("change", function (event) {
      if (event.target.matches("input[data-na]") && event.target.checked) {
        var number = event.target.closest("[data-item]").querySelector("input[data-number]");
        if (number) { number.value = ""; }
      }
      writeDraft();
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      writeDraft();
      queue().then(function (queued) {
        if (queued) {
          say(navigator.onLine === false ? "offline" : "sending");
          return flush();
        }
        return undefined;
      });
    });
    window.addEventListener("online", flush);
    // A bad network often says it is online and still fails: try again every half minute while a batch waits.
    window.setInterval(function () {
      countPending().then(function (n) { if (n) { flush(); } });
    }, 30000);
    restoreDraft();
    form.setAttribute("data-ready", "1");
    flush();
  }

  function start() {
    document.querySelectorAll("[data-inspection-form]").forEach(init);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
