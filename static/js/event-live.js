/* The event page's live seat figures and the viewer's own standing.

   Everything comes from data- attributes on #seat-panel (see events/detail.html): the topic,
   the snapshot URL, the version of the figures the server rendered, and every sentence,
   already translated; "{n}" in a sentence is replaced by a number. */
(function () {
  "use strict";
  var panel = document.getElementById("seat-panel");
  if (!panel || !window.BojuLive) { return; }
  var data = panel.dataset;
  var eventId = Number(data.event);
  var shown = Number(data.version || 0);   // version of the seat figures on screen
  var myStatus = data.myStatus || "";
  var seatsEl = panel.querySelector("[data-seats-left]");
  var waitEl = panel.querySelector("[data-waitlisted]");
  var stateEl = panel.querySelector("[data-my-state]");
  var registerBtn = panel.querySelector("[data-register-button]");
  var cancelBtn = panel.querySelector("[data-cancel-button]");
  var live;

  function text(name, number) { return (data[name] || "").replace("{n}", String(number)); }

  function renderSeats(figures) {
    seatsEl.textContent = figures.seats_left;
    seatsEl.classList.toggle("is-zero", figures.seats_left === 0);
    if (waitEl) { waitEl.textContent = figures.waitlisted; }
    if (registerBtn) {
      var full = figures.seats_left <= 0;
      registerBtn.disabled = full && !figures.waitlist_enabled;
      registerBtn.textContent = !full ? text("textRegister")
        : figures.waitlist_enabled ? text("textWaitlist") : text("textFull");
    }
  }

  function renderMe(me) {
    var status = me ? me.status : "";
    // Registered <-> not registered swaps the forms on the page (another tab, an organizer):
    // the server renders that best. Waiting -> confirmed is only a sentence and a label.
    if (Boolean(status) !== Boolean(myStatus)) { window.location.reload(); return; }
    // A seat at an online event comes with the meeting link, which only the server shows.
    if (status === "confirmed" && myStatus === "waitlisted" && data.reloadOnConfirm) {
      window.location.reload();
      return;
    }
    myStatus = status;
    if (stateEl && me) {
      stateEl.textContent = status === "confirmed" ? text("textConfirmed") : text("textPosition", me.position);
      stateEl.setAttribute("data-status", status);
    }
    if (cancelBtn && status === "confirmed") { cancelBtn.textContent = text("textCancel"); }
  }

  function onSnapshot(snapshot) {
    // Other apps' parts of this page (checkin's "people inside") re-sync with the page.
    document.dispatchEvent(new CustomEvent("boju:live-snapshot"));
    if (snapshot.version < shown) {
      // Older than a push already on screen (the push overtook this answer): ask again.
      live.refreshSoon();
      return;
    }
    shown = snapshot.version;
    if (snapshot.status !== data.status) { window.location.reload(); return; }  // cancelled/published
    renderSeats(snapshot);
    renderMe(snapshot.me);
  }

  function onMessage(topic, payload) {
    document.dispatchEvent(new CustomEvent("boju:live-message", { detail: { topic: topic, payload: payload } }));
    if (payload.event !== eventId) { return; }
    if (payload.type === "event.seats") {
      if (payload.version < shown) { return; }   // an old push that arrived late
      var newer = payload.version > shown;
      shown = payload.version;
      if (payload.status !== data.status) { window.location.reload(); return; }
      renderSeats(payload);
      // The push is person-free; a waiting place may have moved, so fetch it (debounced).
      if (newer && myStatus === "waitlisted") { live.refreshSoon(); }
    } else if (payload.type === "registration.changed") {
      live.refreshSoon();
    }
  }

  // Ask before giving a seat away; the sentence comes translated from the form.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });

  live = new window.BojuLive({
    topics: [data.liveTopics],
    snapshotUrl: data.liveSnapshot,
    onSnapshot: onSnapshot,
    onMessage: onMessage,
    indicator: panel.querySelector("[data-live-dot]")
  });
})();
