/* The organizers' live check-in dashboard: a snapshot on every (re)connect, then one push per
   scan over event.<id>.staff (a first check-in adds one to the count at once). Pushes are at
   most once, so the exact figures and the charts are re-read from a snapshot a moment after
   each burst. */
(function () {
  "use strict";
  var root = document.getElementById("checkin-dashboard");
  if (!root || !window.BojuLive) { return; }
  var $ = function (s) { return root.querySelector(s); };
  var eventId = Number(root.getAttribute("data-event"));
  var state = { registered: 0, checked_in: 0, duplicate_count: 0 };
  var MAX_ROWS = 20;
  var live;

  function text(n) { return root.getAttribute("data-text-" + n) || n; }
  // Every time on the page in the programme's zone (Asia/Shanghai), like the hourly chart that
  // the server buckets in that zone: an organizer's laptop set to another zone must not mix them.
  var TZ = root.getAttribute("data-time-zone") || "Asia/Shanghai";
  function time(iso) {
    var d = new Date(iso);
    return isNaN(d) ? "" : d.toLocaleTimeString(document.documentElement.lang || "zh-CN",
                                                { timeZone: TZ, hour12: false });
  }

  function row(scan) {
    var tr = document.createElement("tr");
    var cells = [time(scan.at), scan.name || "–", text(scan.result) + (scan.offline ? " · " + text("offline") : ""), scan.gate || ""];
    cells.forEach(function (value, i) {
      var td = document.createElement("td");
      td.textContent = value;
      if (i === 2) { td.className = (scan.result === "ok" || scan.result === "reentry") && !scan.duplicate ? "r-ok" : "r-bad"; }
      tr.appendChild(td);
    });
    return tr;
  }

  function fillRows(body, scans) {
    body.textContent = "";
    scans.forEach(function (s) { body.appendChild(row(s)); });
  }

  function prepend(body, scan) {
    body.insertBefore(row(scan), body.firstChild);
    while (body.children.length > MAX_ROWS) { body.removeChild(body.lastChild); }
  }

  function figures() {
    $("[data-registered]").textContent = String(state.registered);
    $("[data-checked-in]").textContent = String(state.checked_in);
    $("[data-duplicate-count]").textContent = String(state.duplicate_count);
    $("[data-rate]").textContent = (state.registered ? Math.round(100 * state.checked_in / state.registered) : 0) + "%";
  }

  function bars(list, items, label) {
    list.textContent = "";
    var max = Math.max.apply(null, [1].concat(items.map(function (x) { return x.n; })));
    items.forEach(function (x) {
      var li = document.createElement("li");
      var name = document.createElement("span"); name.textContent = label(x);
      var bar = document.createElement("span"); bar.className = "dash-bar"; bar.style.width = (100 * x.n / max) + "%";
      var n = document.createElement("span"); n.textContent = String(x.n);
      li.appendChild(name); li.appendChild(bar); li.appendChild(n);
      list.appendChild(li);
    });
  }

  function chart(box, hours) {
    var ns = "http://www.w3.org/2000/svg", w = 600, h = 160, pad = 18;
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 " + w + " " + h);
    svg.setAttribute("preserveAspectRatio", "none");
    var max = Math.max.apply(null, [1].concat(hours.map(function (x) { return x.n; })));
    var slot = Math.min(80, hours.length ? (w - 10) / hours.length : w);
    hours.forEach(function (x, i) {
      var bh = (h - 2 * pad) * x.n / max;
      var r = document.createElementNS(ns, "rect");
      r.setAttribute("x", String(5 + i * slot + slot * 0.15)); r.setAttribute("width", String(slot * 0.7));
      r.setAttribute("y", String(h - pad - bh)); r.setAttribute("height", String(bh));
      svg.appendChild(r);
      [[x.hour, h - 4], [String(x.n), h - pad - bh - 3]].forEach(function (t) {
        var el = document.createElementNS(ns, "text");
        el.setAttribute("x", String(5 + i * slot + slot / 2)); el.setAttribute("y", String(t[1]));
        el.setAttribute("text-anchor", "middle"); el.textContent = t[0];
        svg.appendChild(el);
      });
    });
    box.textContent = "";
    box.appendChild(svg);
  }

  function onSnapshot(data) {
    state.registered = data.registered;
    state.checked_in = data.checked_in;
    state.duplicate_count = data.duplicate_count;
    figures();
    bars($("[data-per-gate]"), data.per_gate, function (x) { return x.gate || text("no-gate"); });
    chart($("[data-per-hour]"), data.per_hour);
    $("[data-sessions-wrap]").hidden = !data.sessions.length;
    bars($("[data-sessions]"), data.sessions, function (x) { return x.name; });
    fillRows($("[data-recent]"), data.recent);
    fillRows($("[data-duplicates]"), data.duplicates);
  }

  // A message carries the scans of the last moment (several at once in a rush at the doors).
  function onMessage(topic, p) {
    if (p.type !== "checkin.scans" || p.event !== eventId) { return; }
    p.scans.forEach(function (scan) {
      if (scan.new) { state.checked_in += 1; }
      if (scan.duplicate) { state.duplicate_count += 1; prepend($("[data-duplicates]"), scan); }
      prepend($("[data-recent]"), scan);
      root.setAttribute("data-last-nonce", scan.nonce || "");
    });
    figures();
    live.refreshSoon(1500);   // gates, hours and sessions from the server, once per burst
  }

  live = new window.BojuLive({
    topics: [root.getAttribute("data-topic")],
    snapshotUrl: root.getAttribute("data-snapshot"),
    onSnapshot: onSnapshot,
    onMessage: onMessage,
    indicator: $("[data-live-dot]")
  });
})();
