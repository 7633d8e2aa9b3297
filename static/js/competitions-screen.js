/* The public screen of the live final. Everything it shows comes from the server's public
   state (snapshot on (re)connect, then pushes on competition.<id>); a push older than what is
   shown (its version) is dropped. Scores only exist in that state once revealed. */
(function () {
  "use strict";
  var root = document.getElementById("final-screen");
  if (!root) { return; }
  var shown = -1;
  var timer = null;
  var state = null;
  function text(el, value) { el.textContent = value; }
  function q(sel) { return root.querySelector(sel); }

  function tick() {
    var el = q("[data-timer]");
    if (!state || !state.timer.started_at || state.current === null) { text(el, "--:--"); return; }
    var left = Math.round(state.timer.seconds - (Date.now() - Date.parse(state.timer.started_at)) / 1000);
    if (left <= 0) { text(el, root.dataset.textOver); el.classList.add("over"); return; }
    el.classList.remove("over");
    var m = Math.floor(left / 60), s = left % 60;
    text(el, (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s);
  }

  function render(next) {
    if (!next || next.type !== "final.state" || next.version < shown) { return; }
    shown = next.version;
    state = next;
    var order = q("[data-order]");
    order.textContent = "";
    var current = null;
    next.order.forEach(function (slot) {
      var li = document.createElement("li");
      li.textContent = slot.title + " · " + slot.organisation;
      if (slot.position === next.current) { li.className = "on-stage"; current = slot; }
      order.appendChild(li);
    });
    text(q("[data-current]"), current ? current.title : (next.revealed ? root.dataset.textResults : root.dataset.textWaiting));
    text(q("[data-progress]"), current ? root.dataset.textScored + " " + next.progress.scored + " / " + next.progress.judges : "");
    var results = q("[data-results]");
    var body = q("[data-results-body]");
    body.textContent = "";
    next.results.forEach(function (r) {
      var tr = document.createElement("tr");
      [r.rank, r.title, r.score, r.award].forEach(function (v) {
        var td = document.createElement("td");
        td.textContent = v;
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    results.hidden = !next.revealed;
    root.dataset.version = String(next.version);
    tick();
  }

  window.setInterval(tick, 500);
  new window.BojuLive({
    topics: [root.dataset.topic],
    snapshotUrl: root.dataset.snapshot,
    onSnapshot: render,
    onMessage: function (topic, payload) { render(payload); },
    indicator: root.querySelector("[data-live-dot]")
  });
})();
