/* Checkpoint officer page.
 * 1. Reads the traveller's QR with the camera where the browser has BarcodeDetector;
 *    otherwise the officer uploads a photo (decoded on the server) or types the code.
 * 2. Sends the passage with fetch; the form carries a key generated once per traveller, so
 *    a post retried after a dropped connection is recognised by the server and never
 *    recorded twice. Unsent passages wait in localStorage and are retried.
 */
(function () {
  "use strict";
  var STORE = "checkpoints.pendingPassages";
  var ECHO = "checkpoints.lastEcho"; // carried across the redirect to the next lookup
  var echoBox = document.getElementById("passage-echo");
  function words(name) { return echoBox ? echoBox.dataset[name] : ""; }

  // The decision echo: the officer sees what was stored (name, decision, time) before the
  // next traveller, whether it went at once or was re-sent from the queue later.
  function showEcho(text, kind) {
    if (!echoBox || !text) return;
    echoBox.textContent = text;
    echoBox.className = "msg echo " + kind;
    echoBox.hidden = false;
  }
  function describe(item) {
    return [item.name, item.decisionLabel].filter(Boolean).join(" — ");
  }

  function pending() {
    try { return JSON.parse(localStorage.getItem(STORE) || "[]"); } catch (e) { return []; }
  }
  function savePending(items) {
    localStorage.setItem(STORE, JSON.stringify(items));
    var box = document.getElementById("pending-box");
    if (box) {
      box.hidden = items.length === 0;
      document.getElementById("pending-count").textContent = String(items.length);
    }
  }
  function csrfToken() {
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID().replace(/-/g, "");
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function send(item) {
    var body = new URLSearchParams(item.fields);
    return fetch(item.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken() },
    }).then(function (response) {
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    });
  }

  // One flush at a time: the browser's own "online" event, the timer and a page load can
  // all fire together, and two sends of one queued passage would race on its key.
  var flushing = null;
  function flush() {
    if (flushing) return flushing;
    flushing = drain().then(function () { flushing = null; }, function () { flushing = null; });
    return flushing;
  }
  function drain() {
    var items = pending();
    if (!items.length) return Promise.resolve();
    var item = items[0];
    return send(item).then(function (result) {
      // Recorded (201), already recorded (200) or refused (400): either way it leaves the queue,
      // and the officer is told which.
      savePending(pending().filter(function (p) { return p.fields.idempotency_key !== item.fields.idempotency_key; }));
      if (result.status === 200 || result.status === 201) {
        showEcho(result.data.echo, "success");
      } else {
        showEcho(words("refused") + " " + describe(item), "error");
      }
      return drain();
    }, function () { /* still offline: keep it for the next attempt */ });
  }

  // --- passage form ---
  var form = document.getElementById("passage-form");
  if (form) {
    var keyInput = form.querySelector("input[name=idempotency_key]");
    if (keyInput && !keyInput.dataset.fromClient) {
      keyInput.value = newKey();
      keyInput.dataset.fromClient = "1";
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var status = document.getElementById("passage-status");
      var button = document.getElementById("passage-submit");
      var fields = {};
      new FormData(form).forEach(function (value, name) { fields[name] = value; });
      var chosen = form.querySelector("input[name=decision]:checked");
      var chosenLabel = chosen && chosen.closest("label");
      var item = {
        url: form.action,
        fields: fields,
        name: form.dataset.name || "",
        decisionLabel: chosenLabel ? chosenLabel.textContent.trim() : "",
      };
      var items = pending();
      if (!items.some(function (p) { return p.fields.idempotency_key === fields.idempotency_key; })) {
        items.push(item);
        savePending(items);
      }
      button.disabled = true;
      status.textContent = words("sending");
      send(item).then(function (result) {
        savePending(pending().filter(function (p) { return p.fields.idempotency_key !== fields.idempotency_key; }));
        if (result.status === 200 || result.status === 201) {
          status.textContent = result.data.echo;
          showEcho(result.data.echo, "success");
          try { sessionStorage.setItem(ECHO, result.data.echo); } catch (e) { /* private mode */ }
          window.location.href = form.dataset.next || ("/checkpoints/?checkpoint=" + encodeURIComponent(fields.checkpoint || ""));
        } else {
          button.disabled = false;
          status.textContent = words("notRecorded") + " " + JSON.stringify(result.data.errors || result.data);
        }
      }, function () {
        status.textContent = words("offline");
        showEcho(words("pending") + " " + describe(item), "warning");
        button.disabled = false;
      });
    });
  }

  // --- camera scanning ---
  var cameraBox = document.getElementById("camera-box");
  if (cameraBox && "BarcodeDetector" in window) {
    cameraBox.hidden = false;
    document.getElementById("camera-start").addEventListener("click", function () {
      var video = document.getElementById("camera");
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
        video.srcObject = stream;
        video.hidden = false;
        video.play();
        var tick = function () {
          detector.detect(video).then(function (codes) {
            if (codes.length) {
              stream.getTracks().forEach(function (t) { t.stop(); });
              document.getElementById("id_qr").value = codes[0].rawValue;
              document.getElementById("lookup-form").submit();
            } else {
              window.setTimeout(tick, 250);
            }
          }, function () { window.setTimeout(tick, 500); });
        };
        tick();
      }, function () { cameraBox.hidden = true; });
    });
  }

  try {
    var last = sessionStorage.getItem(ECHO);
    if (last) {
      sessionStorage.removeItem(ECHO);
      showEcho(last, "success");
    }
  } catch (e) { /* private mode */ }
  savePending(pending());
  flush();
  window.addEventListener("online", flush);
  window.setInterval(flush, 15000);
})();
