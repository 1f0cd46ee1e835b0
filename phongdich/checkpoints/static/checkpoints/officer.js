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

  function flush() {
    var items = pending();
    if (!items.length) return Promise.resolve();
    var item = items[0];
    return send(item).then(function (result) {
      // Recorded (201), already recorded (200) or refused (400): either way it leaves the queue.
      savePending(pending().filter(function (p) { return p.fields.idempotency_key !== item.fields.idempotency_key; }));
      return flush();
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
      var item = { url: form.action, fields: fields };
      var items = pending();
      if (!items.some(function (p) { return p.fields.idempotency_key === fields.idempotency_key; })) {
        items.push(item);
        savePending(items);
      }
      button.disabled = true;
      status.textContent = "Đang gửi…";
      send(item).then(function (result) {
        savePending(pending().filter(function (p) { return p.fields.idempotency_key !== fields.idempotency_key; }));
        if (result.status === 200 || result.status === 201) {
          status.textContent = "Đã ghi nhận.";
          window.location.href = form.dataset.next || ("/checkpoints/?checkpoint=" + encodeURIComponent(fields.checkpoint || ""));
        } else {
          button.disabled = false;
          status.textContent = "Chưa ghi nhận: " + JSON.stringify(result.data.errors || result.data);
        }
      }, function () {
        status.textContent = "Mất kết nối: lượt này được lưu trên máy và sẽ tự gửi lại.";
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

  savePending(pending());
  flush();
  window.addEventListener("online", flush);
  window.setInterval(flush, 15000);
})();
