// The guard's scanning page (fangxian/checkpoints/views/scan.py). Identify who is at the gate (camera,
// photo decoded on the server, or a search), take the temperature, record through the API's scan
// endpoints. Every scan gets a UUID idempotency key on the phone; while the network is down scans are
// queued in localStorage with their time and uploaded as one batch when it returns (online event and a
// retry timer). The server records a key once, so a repeated or cut upload never counts twice.
// A service worker (views/scan.py, sw.js) keeps the page itself so that it opens without a network.
// All text comes translated from the page (#fx-scan-config); this file holds none.
(function () {
  "use strict";
  var configNode = document.getElementById("fx-scan-config");
  if (!configNode) return;
  var config = JSON.parse(configNode.textContent);
  var S = config.strings;
  var QUEUE_KEY = "fx-scan-queue-" + config.user;
  var CHECKPOINT_KEY = "fx-scan-checkpoint-" + config.user;
  var BATCH_MAX = 500;
  var RETRY_MS = 15000;
  var csrf = "";
  try { csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (e) { csrf = ""; }

  function $(id) { return document.getElementById(id); }
  var select = $("fx-scan-checkpoint");
  var message = $("fx-scan-message");
  var subjectCard = $("fx-scan-subject");
  var verdictCard = $("fx-scan-verdict");
  var temperatureInput = $("fx-scan-temperature");
  var recordButton = $("fx-scan-record");
  var identifyCard = $("fx-scan-identify");
  var current = null; // {token | resident_id, summary, key}

  function format(text, count) { return text.replace("%(count)s", String(count)); }
  function say(text) { message.textContent = text || ""; }

  function uuid4() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    // crypto.randomUUID exists only in secure contexts; getRandomValues everywhere.
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function postJSON(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify(body)
    });
  }

  // --- the checkpoint and the direction ------------------------------------------------------------
  if (select) {
    var remembered = localStorage.getItem(CHECKPOINT_KEY);
    if (config.on_duty_checkpoint) select.value = String(config.on_duty_checkpoint);
    else if (remembered && select.querySelector('option[value="' + remembered + '"]')) select.value = remembered;
    var showNotice = function () {
      var notice = (config.notices || {})[select.value] || "";
      $("fx-scan-notice").textContent = notice;
      $("fx-scan-notice").hidden = !notice;
    };
    select.addEventListener("change", function () { localStorage.setItem(CHECKPOINT_KEY, select.value); showNotice(); });
    showNotice();
  }
  function direction() {
    var checked = document.querySelector('input[name="fx-direction"]:checked');
    return checked ? checked.value : "in";
  }

  // --- network state and the offline queue ---------------------------------------------------------
  function online() { return navigator.onLine !== false; }
  function showNetwork() {
    var badge = $("fx-scan-network");
    badge.textContent = online() ? badge.dataset.online || badge.textContent : badge.dataset.offline || "offline";
    badge.className = "badge rounded-pill " + (online() ? "text-bg-success" : "text-bg-warning");
  }
  $("fx-scan-network").dataset.online = $("fx-scan-network").textContent;
  $("fx-scan-network").dataset.offline = S.offline || "offline";

  function queueRead() {
    try { return JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]"); } catch (e) { return []; }
  }
  function queueWrite(queue) {
    localStorage.setItem(QUEUE_KEY, JSON.stringify(queue));
    showQueue();
  }
  function showQueue() {
    var count = queueRead().length;
    var node = $("fx-scan-queue");
    node.dataset.count = String(count);
    node.textContent = count ? format(S.waiting, count) : "";
    $("fx-scan-upload").disabled = count === 0;
  }
  function enqueue(scan) {
    var queue = queueRead();
    if (!queue.some(function (s) { return s.idempotency_key === scan.idempotency_key; })) queue.push(scan);
    queueWrite(queue);
  }

  var flushing = false;
  function flush() {
    var queue = queueRead();
    if (flushing || !queue.length || !online()) return;
    flushing = true;
    var batch = queue.slice(0, BATCH_MAX);
    var sent = {};
    batch.forEach(function (scan) { sent[scan.idempotency_key] = true; });
    var drop = function () {
      queueWrite(queueRead().filter(function (scan) { return !sent[scan.idempotency_key]; }));
    };
    postJSON(config.batch_url, { scans: batch })
      .then(function (response) {
        if (response.status === 400 || response.status === 422) {
          // The batch itself is refused (it will never pass): report and drop it rather than block the queue.
          drop();
          $("fx-scan-upload-result").textContent = format(S.upload_failed, batch.length);
          return null;
        }
        if (!response.ok) throw new Error("status " + response.status); // kept; sent again later
        return response.json().then(function (body) {
          drop();
          var fevers = body.results.filter(function (r) { return r.reason === "fever"; }).length;
          var parts = [format(S.uploaded, body.created + body.repeated)];
          if (body.failed) parts.push(format(S.upload_failed, body.failed));
          if (fevers) parts.push(S.fever_alert);
          $("fx-scan-upload-result").textContent = parts.join(" · ");
        });
      })
      .catch(function () { /* still offline or the server is down: the retry timer sends it again */ })
      .then(function () {
        flushing = false;
        if (queueRead().length && online() && queueRead().length < queue.length) flush();
      });
  }

  // --- identifying who is at the gate ----------------------------------------------------------------
  function identified(subject) {
    current = subject;
    current.key = uuid4(); // one key per person at the gate: a double tap on Record is recorded once
    say("");
    verdictCard.hidden = true;
    subjectCard.hidden = false;
    identifyCard.hidden = true;
    $("fx-scan-subject-source").textContent = subject.token ? S.pass_read : S.picked;
    showSummary(subject.summary || {}, "fx-scan-subject-name", "fx-scan-subject-room");
    $("fx-scan-subject-check").textContent = "";
    $("fx-scan-results").innerHTML = "";
    temperatureInput.value = "";
    temperatureInput.focus();
    if (subject.token && online()) {
      // A first look at the pass (records nothing); the verdict comes with the recording.
      postJSON(config.verify_url, { token: subject.token })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (body) {
          if (!body || current !== subject) return;
          if (body.summary) {
            subject.summary = body.summary; // also what a queued scan shows
            showSummary(body.summary, "fx-scan-subject-name", "fx-scan-subject-room");
          }
          var check = $("fx-scan-subject-check");
          check.textContent = body.reason_label;
          check.className = "small mt-1 fw-semibold " + (body.ok ? "text-success" : "text-danger");
        })
        .catch(function () {});
    }
  }
  function showSummary(summary, nameId, roomId) {
    var kind = summary.kind ? S["kind_" + summary.kind] || "" : "";
    $(nameId).textContent = summary.name || summary.plate || kind;
    $(roomId).textContent = summary.room || "";
  }
  function reset() {
    current = null;
    subjectCard.hidden = true;
    verdictCard.hidden = true;
    identifyCard.hidden = false;
    temperatureInput.value = "";
    $("fx-scan-search").value = "";
    $("fx-scan-results").innerHTML = "";
    say("");
  }
  $("fx-scan-cancel").addEventListener("click", reset);
  $("fx-scan-next").addEventListener("click", reset);

  // Camera: only in a secure context (HTTPS or localhost), with the zxing WebAssembly served by us.
  var cameraButton = $("fx-scan-camera");
  var video = $("fx-scan-video");
  var stream = null;
  var cameraPossible = window.isSecureContext && navigator.mediaDevices && navigator.mediaDevices.getUserMedia;
  if (window.BarcodeDetectionAPI && window.BarcodeDetectionAPI.prepareZXingModule) {
    window.BarcodeDetectionAPI.prepareZXingModule({
      overrides: {
        locateFile: function (path, prefix) { return path.endsWith(".wasm") ? config.wasm_url : prefix + path; }
      }
    });
  }
  if (!cameraPossible) {
    cameraButton.classList.add("d-none");
    $("fx-scan-no-camera").textContent = S.no_camera;
    $("fx-scan-no-camera").classList.remove("d-none");
  }
  function stopCamera() {
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.classList.add("d-none");
  }
  cameraButton.addEventListener("click", function () {
    if (stream) { stopCamera(); return; }
    if (!window.BarcodeDetector) { say(S.camera_denied); return; }
    say("");
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        video.classList.remove("d-none");
        return video.play();
      })
      .then(function () {
        var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
        var look = function () {
          if (!stream) return;
          detector.detect(video).then(function (codes) {
            var pass = codes.filter(function (c) { return (c.rawValue || "").indexOf("FX1.") === 0; })[0];
            if (pass) { stopCamera(); identified({ token: pass.rawValue }); return; }
            if (codes.length) say(S.camera_not_a_pass);
            setTimeout(look, 200);
          }).catch(function () { setTimeout(look, 400); });
        };
        look();
      })
      .catch(function () { stopCamera(); say(S.camera_denied); });
  });

  // Photo of the code, decoded on the server.
  $("fx-scan-photo").addEventListener("change", function (event) {
    var file = event.target.files && event.target.files[0];
    if (!file) return;
    var form = new FormData();
    form.append("photo", file, file.name);
    event.target.value = "";
    say(S.decoding);
    fetch(config.decode_url, { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf }, body: form })
      .then(function (response) {
        return response.json().catch(function () { return { message: S.network_error }; });
      })
      .then(function (body) {
        if (body.token) identified({ token: body.token });
        else say(body.message || S.network_error);
      })
      .catch(function () { say(S.network_error); });
  });

  // Search by initials, room or last 4 digits (residents), a visitor's name, or a plate: masked data only.
  function resultButton(title, detail, onPick) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "list-group-item list-group-item-action py-3";
    button.dataset.testid = "scan-result";
    var name = document.createElement("strong");
    name.textContent = title;
    var more = document.createElement("span");
    more.className = "text-muted ms-2";
    more.textContent = detail;
    button.append(name, more);
    button.addEventListener("click", onPick);
    return button;
  }
  function showResults(rows, emptyText) {
    var results = $("fx-scan-results");
    results.innerHTML = "";
    say(rows.length ? "" : emptyText);
    rows.forEach(function (row) {
      if (row.plate) {
        var listed = row.listed ? S.plate_listed : S.plate_not_listed;
        results.append(resultButton(S.kind_vehicle + " " + row.plate, listed, function () {
          identified({ plate: row.plate, summary: { kind: "vehicle", plate: row.plate } });
          $("fx-scan-subject-check").textContent = listed;
        }));
      } else if (row.visitor_id) {
        var detail = [S.kind_visitor, row.room, row.status_label].filter(Boolean).join(" · ");
        results.append(resultButton(row.name, detail, function () {
          identified({ visitor_id: row.visitor_id, summary: { kind: "visitor", name: row.name, room: row.room } });
          $("fx-scan-subject-check").textContent = row.status_label;
        }));
      } else {
        results.append(resultButton(row.name, row.room, function () {
          identified({ resident_id: row.resident_id, summary: { kind: "resident", name: row.name, room: row.room } });
        }));
      }
    });
  }
  function searchUrl(query, visitors) {
    return config.search_url.replace("/0/", "/" + encodeURIComponent(select.value) + "/") +
      "?q=" + encodeURIComponent(query) + (visitors ? "&visitors=1" : "");
  }
  function runSearch(query, visitors) {
    fetch(searchUrl(query, visitors), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        if (body.message) { $("fx-scan-results").innerHTML = ""; say(body.message); return; }
        showResults(body.results, visitors ? S.no_visitors : S.no_results);
      })
      .catch(function () { say(S.network_error); });
  }
  var searchTimer = null;
  $("fx-scan-search").addEventListener("input", function (event) {
    clearTimeout(searchTimer);
    var query = event.target.value.trim();
    if (!query) { $("fx-scan-results").innerHTML = ""; return; }
    if (!select || !select.value) { say(S.choose_checkpoint); return; }
    searchTimer = setTimeout(function () { runSearch(query, false); }, 300);
  });
  $("fx-scan-visitors").addEventListener("click", function () {
    if (!select || !select.value) { say(S.choose_checkpoint); return; }
    runSearch("", true);
  });

  // --- recording ----------------------------------------------------------------------------------------
  function showVerdict(body) {
    subjectCard.hidden = true;
    verdictCard.hidden = false;
    verdictCard.className = "fx-scan-verdict " + (body.verdict === "allow" ? "allow" : "deny");
    $("fx-scan-verdict-word").textContent = body.verdict === "allow" ? S.allowed : S.denied;
    $("fx-scan-verdict-reason").textContent = body.verdict === "allow" ? "" : body.reason_label;
    showSummary(body.summary || {}, "fx-scan-verdict-name", "fx-scan-verdict-room");
    $("fx-scan-verdict-temperature").textContent = body.temperature ? S.temperature + " " + body.temperature + " °C" : "";
    $("fx-scan-verdict-alert").textContent = body.reason === "fever" ? S.fever_alert : "";
    $("fx-scan-next").focus();
  }
  function showQueued(scan) {
    subjectCard.hidden = true;
    verdictCard.hidden = false;
    verdictCard.className = "fx-scan-verdict queued";
    $("fx-scan-verdict-word").textContent = S.queued;
    $("fx-scan-verdict-reason").textContent = S.queued_detail;
    showSummary((current && current.summary) || {}, "fx-scan-verdict-name", "fx-scan-verdict-room");
    $("fx-scan-verdict-temperature").textContent = scan.temperature ? S.temperature + " " + scan.temperature + " °C" : "";
    $("fx-scan-verdict-alert").textContent = "";
  }

  recordButton.addEventListener("click", function () {
    if (!select || !select.value) { say(S.choose_checkpoint); return; }
    if (!current) { say(S.identify_first); return; }
    var raw = temperatureInput.value.trim().replace(",", ".");
    var temperature = null;
    if (raw) {
      temperature = Math.round(parseFloat(raw) * 10) / 10;
      if (isNaN(temperature) || temperature < 30 || temperature > 45) { say(S.temperature_range); return; }
    }
    var scan = {
      checkpoint_id: parseInt(select.value, 10),
      direction: direction(),
      idempotency_key: current.key,
      at: new Date().toISOString()
    };
    if (current.token) scan.token = current.token;
    if (current.resident_id) scan.resident_id = current.resident_id;
    if (current.visitor_id) scan.visitor_id = current.visitor_id;
    if (current.plate) scan.plate = current.plate;
    if (temperature !== null) scan.temperature = temperature;
    say("");
    if (!online()) { enqueue(scan); showQueued(scan); return; }
    recordButton.disabled = true;
    postJSON(config.scan_url, scan)
      .then(function (response) {
        if (response.status >= 500) { enqueue(scan); showQueued(scan); say(S.server_error); return; }
        return response.json().then(function (body) {
          if (!response.ok) { say(body.message || S.network_error); return; }
          showVerdict(body);
          flush();
        });
      }, function () { enqueue(scan); showQueued(scan); })
      .then(function () { recordButton.disabled = false; });
  });
  temperatureInput.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); recordButton.click(); }
  });
  $("fx-scan-upload").addEventListener("click", flush);

  window.addEventListener("online", function () { showNetwork(); flush(); });
  window.addEventListener("offline", showNetwork);
  setInterval(flush, RETRY_MS);
  showNetwork();
  showQueue();
  flush();

  // --- opening the page without a network ------------------------------------------------------------
  // The service worker keeps this page and its static files (HTTPS or localhost only, like the camera).
  // It is told which static files the page loaded, so that whatever the templates add is kept too.
  if ("serviceWorker" in navigator && config.service_worker_url && window.isSecureContext) {
    navigator.serviceWorker.register(config.service_worker_url, { scope: config.page_url }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      var loaded = performance.getEntriesByType("resource").map(function (entry) { return entry.name; });
      var channel = new MessageChannel();
      channel.port1.onmessage = function () { document.body.dataset.offlineReady = "true"; };
      if (registration.active) registration.active.postMessage({ cache: loaded }, [channel.port2]);
    }).catch(function () { /* the page still works online; only opening it offline is lost */ });
  }
})();
