/* The door scanner (a page for phones and handheld scanners).

   Codes come from the camera (BarcodeDetector where the browser has it, else the vendored
   jsQR), from the typed field, or from a handheld scanner that "types" the code and Enter.
   Online, each scan goes to /api/checkin/scan. Without a network the page answers itself from
   what it downloaded (the event's public keys, revocation list and ticket list): it checks
   the Ed25519 signature with WebCrypto, queues the scan with its nonce and time, and uploads
   the queue to /api/checkin/sync when the network returns; the server settles conflicts.
   Every sentence shown comes translated from the page's data-attributes. */
(function () {
  "use strict";
  var root = document.getElementById("checkin-scanner");
  if (!root) { return; }
  var $ = function (sel) { return root.querySelector(sel); };
  var store = window.localStorage;
  var TOKEN = "boju.checkin.token", EVENT = "boju.checkin.event", GATE = "boju.checkin.gate", LIST = "boju.checkin.list.";
  var QUEUE = "boju.checkin.queue", BUNDLE = "boju.checkin.bundle.";
  var CODE_RE = /^1\.(\d{1,12})\.(\d{1,15})\.(\d{1,12})\.([A-Za-z0-9_-]{86})$/;
  var NUMBER_RE = /^#?(\d{1,12})$/;   // the short ticket number ("票号") typed by hand
  // The camera sees a held ticket many times a second: the same code is ignored while it stays in
  // view and for REPEAT_MS after it was last seen, so a phone held on a ticket counts once.
  var REPEAT_MS = 5000;
  var TZ = root.getAttribute("data-time-zone") || "Asia/Shanghai";
  var token = store.getItem(TOKEN) || "";
  var forcedOffline = false;     // set when a request fails although the browser says online
  var lastCode = "", lastAt = 0, syncing = false, scanTimer = null, stream = null;

  function text(name, n) { return (root.getAttribute("data-text-" + name) || name).replace("{n}", String(n)); }
  function eventId() { return Number($("[data-event-select]").value || 0); }
  function listId() { return Number($("[data-list-select]").value || 0); }
  function clock(iso, withDate) {
    var d = new Date(iso);
    if (isNaN(d)) { return ""; }
    var opts = { timeZone: TZ, hour: "2-digit", minute: "2-digit", hour12: false };
    if (withDate) { opts.month = "2-digit"; opts.day = "2-digit"; } else { opts.second = "2-digit"; }
    return d.toLocaleString(document.documentElement.lang || "zh-CN", opts);
  }
  function queue() { try { return JSON.parse(store.getItem(QUEUE) || "[]"); } catch (e) { return []; } }
  function saveQueue(items) { store.setItem(QUEUE, JSON.stringify(items)); showStatus(); }
  function bundle() { try { return JSON.parse(store.getItem(BUNDLE + eventId()) || "null"); } catch (e) { return null; } }
  function online() { return navigator.onLine && !forcedOffline; }

  function headers() {
    var h = { "Content-Type": "application/json", Accept: "application/json" };
    if (token) { h.Authorization = "Bearer " + token; }
    else {
      var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
      if (m) { h["X-CSRFToken"] = decodeURIComponent(m[1]); }
    }
    return h;
  }

  function nonce() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // ---- answer: big, coloured, with a sound --------------------------------------------
  var audio = null;
  function beep(good) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var notes = good ? [880] : [220, 180];
      notes.forEach(function (freq, i) {
        var osc = audio.createOscillator(), gain = audio.createGain();
        osc.frequency.value = freq; osc.type = good ? "sine" : "square";
        gain.gain.value = 0.15;
        osc.connect(gain); gain.connect(audio.destination);
        var t = audio.currentTime + i * 0.18;
        osc.start(t); osc.stop(t + (good ? 0.15 : 0.16));
      });
    } catch (e) { /* no audio: the colour still tells */ }
  }

  function show(result, data, offline) {
    var box = $("[data-answer]");
    var good = result === "ok";
    box.className = "scanner-answer " + (good ? "is-ok" : "is-bad");
    box.setAttribute("data-result", result);
    var title = data.reentry ? text("reentry") : text(result);
    if (offline) { title += " · " + (offline === "unverified" ? text("unverified") : text("offline")); }
    $("[data-answer-title]").textContent = title;
    var detail = data.name || "";
    if (result === "already_checked_in" && data.checked_in_at) {
      detail += (detail ? " · " : "") + text("at") + " " + clock(data.checked_in_at) + (data.gate ? " · " + data.gate : "");
    }
    if (result === "not_open" && data.opens_at) {
      // When scanning opens (or that it closed), in China time like every time on the page.
      var closed = new Date(data.closes_at) < new Date();
      detail += (detail ? " · " : "") + (closed ? text("closed-at", clock(data.closes_at, true)) : text("opens-at", clock(data.opens_at, true)));
    }
    $("[data-answer-detail]").textContent = detail;
    beep(good);
  }

  function showStatus() {
    var pending = queue().length;
    var net = $("[data-net]");
    net.textContent = online() ? text("online") : text("offline");
    net.className = "net " + (online() ? "on" : "off");
    $("[data-pending]").textContent = pending ? text("pending", pending) : text("synced");
    root.setAttribute("data-pending-count", String(pending));
    var b = bundle();
    $("[data-bundle-info]").textContent = b ? "· " + text("bundle", Object.keys(b.tickets || {}).length) + " " + clock(b.generated_at) : "";
  }

  // ---- offline checking ------------------------------------------------------------------
  function b64url(s) {
    var bin = atob(s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4));
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { out[i] = bin.charCodeAt(i); }
    return out;
  }

  function currentList(b) {
    // The chosen session's list, else the whole event's (its window comes with the bundle even
    // before the list exists on the server).
    var id = listId(), found = null;
    (b.lists || []).forEach(function (l) { if (id ? l.id === id : !l.session) { found = l; } });
    return found || { id: 0, opens: (b.window || {}).opens, closes: (b.window || {}).closes, checked_in: b.checked_in || [] };
  }

  function judgeLocally(b, ticketId, how, scannedAt) {
    var name = (b.tickets || {})[ticketId];
    if ((b.revoked || []).indexOf(Number(ticketId)) >= 0) { return { result: "cancelled", how: how }; }
    if (name === undefined) { return { result: "invalid", how: how }; }
    var list = currentList(b), t = new Date(scannedAt);
    var rehearsal = list.rehearsal_until && t <= new Date(list.rehearsal_until);
    if (list.opens && !rehearsal && (t < new Date(list.opens) || t > new Date(list.closes))) {
      return { result: "not_open", name: name, how: how, opens_at: list.opens, closes_at: list.closes };
    }
    var seen = b.local_seen || {};
    var key = (list.id || 0) + ":" + ticketId;
    var checked = (list.checked_in || []).indexOf(Number(ticketId)) >= 0 || seen[key];
    if (checked && list.allow_reentry) { return { result: "ok", reentry: true, name: name, how: how }; }
    return { result: checked ? "already_checked_in" : "ok", name: name, how: how, ticket: ticketId, key: key };
  }

  function verifyLocally(code, scannedAt) {
    // Resolves to {result, name} from the stored bundle; "unverified" when WebCrypto cannot do Ed25519.
    var b = bundle();
    var number = NUMBER_RE.exec(code);
    if (b && number) { return Promise.resolve(judgeLocally(b, String(Number(number[1])), "number", scannedAt)); }
    var m = CODE_RE.exec(code);
    if (!b || !m) { return Promise.resolve({ result: "invalid" }); }
    var keyId = Number(m[1]), ticketId = m[2], ev = Number(m[3]);
    if (ev !== b.event) { return Promise.resolve({ result: "wrong_event" }); }
    var key = (b.keys || []).filter(function (k) { return k.id === keyId; })[0];
    if (!key) { return Promise.resolve({ result: "invalid" }); }
    var body = new TextEncoder().encode(code.slice(0, code.lastIndexOf(".")));
    var subtle = window.crypto && window.crypto.subtle;
    var check = subtle ? subtle.importKey("raw", b64url(key.public_key), { name: "Ed25519" }, false, ["verify"])
      .then(function (k) { return subtle.verify({ name: "Ed25519" }, k, b64url(m[4]), body); })
      : Promise.reject(new Error("no webcrypto"));
    return check.then(function (ok) { return ok ? "verified" : "bad"; }, function () { return "unverified"; })
      .then(function (how) {
        if (how === "bad") { return { result: "invalid" }; }
        return judgeLocally(b, ticketId, how, scannedAt);
      });
  }

  function scanOffline(item) {
    return verifyLocally(item.code, item.scanned_at).then(function (local) {
      if (local.result === "ok" && local.key) {
        var b = bundle();
        b.local_seen = b.local_seen || {};
        b.local_seen[local.key] = item.scanned_at;
        store.setItem(BUNDLE + b.event, JSON.stringify(b));
      }
      if (local.result === "ok" || local.result === "already_checked_in") {
        var items = queue(); items.push(item); saveQueue(items);   // the server decides for real
      }
      show(local.result, local, local.how === "unverified" ? "unverified" : "offline");
    });
  }

  // ---- scanning --------------------------------------------------------------------------
  function handle(code, fromCamera) {
    code = (code || "").trim();
    if (!code) { return; }
    var now = Date.now();
    if (fromCamera) {
      var repeat = code === lastCode && now - lastAt < REPEAT_MS;
      lastCode = code; lastAt = now;          // still in view: the quiet time starts again
      if (repeat) { root.setAttribute("data-ignored", String(Number(root.getAttribute("data-ignored") || 0) + 1)); return; }
    } else {
      lastCode = ""; lastAt = 0;              // typed on purpose: always sent
    }
    if (!eventId() && token === "" && root.getAttribute("data-session") !== "1") { show("unauthorized", {}); return; }
    var item = { code: code, gate: $("[data-gate]").value.trim(), nonce: nonce(), scanned_at: new Date().toISOString() };
    // The chosen event (a typed ticket number is looked up there) and session list, if any.
    if (eventId()) { item.event = eventId(); }
    if (listId()) { item.list = listId(); }
    if (!online()) { scanOffline(item); return; }
    window.fetch(root.getAttribute("data-api-scan"), {
      method: "POST", headers: headers(), body: JSON.stringify(item), credentials: "same-origin"
    }).then(function (r) { return r.json(); }).then(function (data) {
      show(data.result, data);
    }).catch(function () {
      forcedOffline = true;           // the network is gone although the browser did not notice
      showStatus();
      scanOffline(item);
      window.setTimeout(probe, 3000);
    });
  }

  function probe() {
    forcedOffline = false;
    refreshBundle().then(syncNow, function () { forcedOffline = true; showStatus(); window.setTimeout(probe, 5000); });
  }

  function syncNow() {
    var items = queue();
    showStatus();
    if (syncing || !items.length || !online()) { return Promise.resolve(); }
    syncing = true;
    var batch = items.slice(0, 500);
    return window.fetch(root.getAttribute("data-api-sync"), {
      method: "POST", headers: headers(), body: JSON.stringify({ scans: batch }), credentials: "same-origin"
    }).then(function (r) { return r.json().then(function (d) { return { status: r.status, data: d }; }); })
      .then(function (answer) {
        syncing = false;
        if (answer.status !== 200) { return; }
        var done = {};
        batch.forEach(function (s) { done[s.nonce] = true; });
        saveQueue(queue().filter(function (s) { return !done[s.nonce]; }));
        return refreshBundle();
      }, function () { syncing = false; forcedOffline = true; showStatus(); });
  }

  function refreshBundle() {
    if (!eventId()) { return Promise.resolve(); }
    var url = root.getAttribute("data-api-offline") + "?event=" + eventId();
    return window.fetch(url, { headers: headers(), credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.json(); }).then(function (data) {
        if (data.result !== "ok") { return; }
        var old = bundle();
        // Scans still queued here stay "seen" until the server has them.
        data.local_seen = {};
        var pending = queue();
        if (old && old.local_seen) {
          pending.forEach(function (s) {
            var m = CODE_RE.exec(s.code) || NUMBER_RE.exec(s.code);
            if (!m) { return; }
            var key = (s.list || 0) + ":" + String(Number(m[2] || m[1]));
            if (old.local_seen[key]) { data.local_seen[key] = old.local_seen[key]; }
          });
        }
        store.setItem(BUNDLE + data.event, JSON.stringify(data));
        forcedOffline = false;
        fillLists(data);
        showStatus();
      });
  }

  // ---- camera ----------------------------------------------------------------------------
  function startCamera() {
    var video = $("[data-video]"), canvas = $("[data-canvas]");
    var detector = ("BarcodeDetector" in window) ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { show("error", { name: text("camera-error") }); return; }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (s) {
      stream = s;
      video.srcObject = stream;
      $("[data-camera-stop]").hidden = false;
      video.play();
      root.classList.add("camera-on");
      var ctx = canvas.getContext("2d", { willReadFrequently: true });
      var tick = function () {
        scanTimer = window.setTimeout(tick, 120);
        if (video.readyState < video.HAVE_ENOUGH_DATA) { return; }
        if (detector) {
          detector.detect(video).then(function (codes) { if (codes.length) { handle(codes[0].rawValue, true); } }).catch(function () {});
          return;
        }
        if (!window.jsQR) { return; }
        var scale = Math.min(1, 640 / video.videoWidth);
        canvas.width = Math.round(video.videoWidth * scale);
        canvas.height = Math.round(video.videoHeight * scale);
        ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
        var img = ctx.getImageData(0, 0, canvas.width, canvas.height);
        var found = window.jsQR(img.data, img.width, img.height, { inversionAttempts: "dontInvert" });
        if (found && found.data) { handle(found.data, true); }
      };
      tick();
    }).catch(function () {
      $("[data-answer-title]").textContent = text("camera-error");
      $("[data-camera-start]").hidden = false;
    });
  }

  function stopCamera() {
    window.clearTimeout(scanTimer);
    scanTimer = null;
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    $("[data-video]").srcObject = null;
    root.classList.remove("camera-on");
    $("[data-camera-stop]").hidden = true;
    $("[data-camera-start]").hidden = false;
  }

  function fillLists(b) {
    // Session lists (forums, trainings) can be scanned at their own door; the choice is kept per event.
    var select = $("[data-list-select]");
    var sessions = (b.lists || []).filter(function (l) { return l.session; });
    var keep = store.getItem(LIST + b.event) || select.value;
    while (select.options.length > 1) { select.remove(1); }
    sessions.forEach(function (l) {
      var o = document.createElement("option");
      o.value = String(l.id); o.textContent = l.name;
      select.appendChild(o);
    });
    select.value = select.querySelector('option[value="' + keep + '"]') ? keep : "";
    $("[data-list-wrap]").hidden = !sessions.length;
  }

  // ---- events and setup ------------------------------------------------------------------
  function fillEvents(list) {
    var select = $("[data-event-select]");
    list.forEach(function (e) {
      var o = document.createElement("option");
      o.value = String(e.id); o.textContent = e.title;
      select.appendChild(o);
    });
    var saved = store.getItem(EVENT);
    if (saved && select.querySelector('option[value="' + saved + '"]')) { select.value = saved; }
    else if (list.length) { select.value = String(list[0].id); }
    var b = bundle();
    if (b) { fillLists(b); }
    refreshBundle().then(showStatus, showStatus);
  }

  $("[data-list-select]").addEventListener("change", function () {
    store.setItem(LIST + eventId(), String(listId() || ""));
  });
  $("[data-event-select]").addEventListener("change", function () {
    store.setItem(EVENT, String(eventId()));
    var b = bundle();
    fillLists(b || { event: eventId(), lists: [] });
    refreshBundle().then(showStatus, showStatus);
  });
  $("[data-gate]").value = store.getItem(GATE) || "";
  $("[data-gate]").addEventListener("change", function () { store.setItem(GATE, $("[data-gate]").value.trim()); });
  $("[data-manual]").addEventListener("submit", function (e) {
    e.preventDefault();
    var field = $("[data-code]");
    handle(field.value);           // typed on purpose: always sent, even if the same code
    field.value = "";
    field.focus();
  });
  // A handheld scanner types into whatever has focus: keys typed outside a field go to the code field.
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA")) { return; }
    if (e.key.length === 1 || e.key === "Enter") {
      var field = $("[data-code]");
      field.focus();
      if (e.key.length === 1) { field.value += e.key; e.preventDefault(); }
      else { e.preventDefault(); $("[data-manual]").requestSubmit(); }
    }
  });
  $("[data-camera-start]").addEventListener("click", function () { this.hidden = true; startCamera(); });
  $("[data-camera-stop]").addEventListener("click", stopCamera);
  $("[data-sync-now]").addEventListener("click", function () { forcedOffline = false; syncNow(); });
  var unpair = $("[data-unpair]");
  if (token) {
    unpair.hidden = false;
    unpair.addEventListener("click", function () { store.removeItem(TOKEN); window.location.reload(); });
  }
  window.addEventListener("online", function () { forcedOffline = false; showStatus(); syncNow(); });
  window.addEventListener("offline", showStatus);
  window.setInterval(function () { if (queue().length) { syncNow(); } }, 5000);
  window.setInterval(function () { if (online()) { refreshBundle().catch(function () {}); } }, 60000);

  if (token) {
    window.fetch(root.getAttribute("data-api-whoami"), { headers: headers(), cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (data.result === "ok") { fillEvents(data.events); }
        else if (data.result === "unauthorized") { $("[data-unpaired]").hidden = false; show("unauthorized", {}); }
      }).catch(function () {
        // Started without a network: use what was downloaded before.
        var saved = store.getItem(EVENT);
        var b = saved ? JSON.parse(store.getItem(BUNDLE + saved) || "null") : null;
        if (b) { fillEvents([{ id: b.event, title: b.title }]); }
        forcedOffline = true; showStatus();
      });
  } else if (root.getAttribute("data-session") === "1") {
    fillEvents((root.getAttribute("data-session-events") || "").split("\n").filter(Boolean).map(function (line) {
      var i = line.indexOf("|");
      return { id: Number(line.slice(0, i)), title: line.slice(i + 1) };
    }));
  } else {
    $("[data-unpaired]").hidden = false;
  }
  showStatus();
  root.setAttribute("data-ready", "1");
})();
