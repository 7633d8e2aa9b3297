/* The event page's live seat figure and waiting-list place. Texts come translated from
   data- attributes on #seat-panel; numbers replace %s. */
(function () {
  "use strict";
  var panel = document.getElementById("seat-panel");
  if (!panel || !window.BojuLive) { return; }
  var shown = -1;
  var myStatus = panel.dataset.myStatus || "";
  var pending = null;
  var seatsEl = panel.querySelector("[data-seats-left]");
  var waitEl = panel.querySelector("[data-waitlisted]");
  var stateEl = document.querySelector("[data-my-state]");
  var dot = document.querySelector("[data-live-dot]");
  var live;

  function text(name, value) { return (panel.dataset[name] || "").replace("%s", value); }

  function renderSeats(payload) {
    if (payload.version < shown) { return false; }  // older than what is on screen
    shown = payload.version;
    seatsEl.textContent = payload.seats_left;
    if (waitEl) { waitEl.textContent = payload.waitlisted; }
    return true;
  }

  function renderMe(me) {
    var status = me ? me.status : "";
    if (stateEl && me) {
      stateEl.textContent = status === "confirmed" ? text("textConfirmed") : text("textPosition", me.position);
      stateEl.dataset.status = status;
    }
    // Registered <-> not registered changes the buttons: reload; waitlisted -> confirmed is text only.
    if (Boolean(status) !== Boolean(myStatus)) { window.location.reload(); return; }
    myStatus = status;
  }

  function refreshSoon() {
    if (pending) { return; }
    pending = window.setTimeout(function () { pending = null; live.refresh(); }, 300);
  }

  live = new window.BojuLive({
    topics: [panel.dataset.topic],
    snapshotUrl: panel.dataset.snapshotUrl,
    onSnapshot: function (data) { shown = -1; renderSeats(data); renderMe(data.me); },
    onMessage: function (topic, payload) {
      if (payload.type === "event.seats" && payload.event === Number(panel.dataset.event)) {
        if (renderSeats(payload) && myStatus === "waitlisted") { refreshSoon(); }
      } else if (payload.type === "registration.changed" && payload.event === Number(panel.dataset.event)) {
        refreshSoon();
      }
    },
    onState: function (on) {
      if (!dot) { return; }
      dot.classList.toggle("on", on);
      dot.textContent = on ? dot.dataset.on : dot.dataset.off;
    },
  });
})();
