/* Matchmaking pages: the live part (#mm-live) is re-rendered by the server and swapped in on
   connect and after every push (meetings.changed on user.<id> or meetings.<event>.staff); the
   console grid moves a meeting by drag-and-drop, posting the same form as the fallback. */
(function () {
  "use strict";
  var root = document.getElementById("mm-live");
  if (!root) { return; }
  var shown = -1;

  function csrf() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function onSnapshot(data) {
    if (!data || typeof data.html !== "string") { return; }
    // Same version, same meetings: keep the DOM (replacing it would pull a button from under a
    // finger, or a test's click). Older: a snapshot arriving late.
    if (data.version <= shown) { return; }
    shown = data.version;
    root.innerHTML = data.html;
  }

  var topics = root.dataset.topic ? [root.dataset.topic] : [];
  var live = window.BojuLive ? new window.BojuLive({
    topics: topics,
    snapshotUrl: root.dataset.snapshot,
    onSnapshot: onSnapshot,
    onMessage: function (topic, payload) {
      if (payload && payload.type === "meetings.changed") { live.refreshSoon(150); }
    },
    indicator: document.querySelector("[data-live-dot]")
  }) : null;

  function move(meeting, slot, table) {
    var url = root.dataset.move.replace(/\/0\/move\/$/, "/" + meeting + "/move/");
    var body = new URLSearchParams({ slot: slot, table: table });
    return window.fetch(url, {
      method: "POST", credentials: "same-origin", body: body,
      headers: { "X-CSRFToken": csrf(), Accept: "application/json" }
    }).then(function (response) { return response.json(); }).then(function (data) {
      if (!data.ok) { window.alert(data.message || root.dataset.error); }
      if (live) { live.refresh(); }
    });
  }

  if (root.dataset.move) {
    root.addEventListener("dragstart", function (event) {
      var cell = event.target.closest("[data-meeting]");
      if (!cell) { return; }
      event.dataTransfer.setData("text/plain", cell.dataset.meeting);
      root.dataset.dragCompany = cell.dataset.company;
    });
    root.addEventListener("dragover", function (event) {
      var target = event.target.closest(".mm-drop");
      // A meeting can only go to a free table of its own company.
      if (target && !target.querySelector("[data-meeting]") && target.dataset.company === root.dataset.dragCompany) {
        event.preventDefault();
        target.classList.add("mm-over");
      }
    });
    root.addEventListener("dragleave", function (event) {
      var target = event.target.closest(".mm-drop");
      if (target) { target.classList.remove("mm-over"); }
    });
    root.addEventListener("drop", function (event) {
      var target = event.target.closest(".mm-drop");
      if (!target) { return; }
      event.preventDefault();
      target.classList.remove("mm-over");
      move(event.dataTransfer.getData("text/plain"), target.dataset.slot, target.dataset.table);
    });
    var form = document.getElementById("mm-move-form");
    if (form) {
      form.addEventListener("submit", function (event) {
        form.action = form.dataset.base.replace(/\/0\/move\/$/, "/" + form.elements.meeting.value + "/move/");
      });
    }
  }

  // The request form offers only slots where the chosen company has a free table and I am free.
  var request = document.getElementById("mm-request");
  if (request) {
    request.elements.company.addEventListener("change", function () {
      var company = request.elements.company.value;
      var select = request.elements.slot;
      if (!company) { return; }
      // Until the answer is in, the list shown is the wrong company's: a slot picked from it
      // would be wiped when the list is rebuilt (and the form then refuses to submit).
      select.disabled = true;
      delete request.dataset.slotsFor;
      window.fetch(request.dataset.free + "?company=" + encodeURIComponent(company), { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          if (request.elements.company.value !== company) { return; }  // a newer choice is loading
          var kept = select.value;
          while (select.options.length > 1) { select.remove(1); }
          data.slots.forEach(function (slot) { select.add(new Option(slot.label, slot.id)); });
          select.value = kept;  // still offered: kept; otherwise back to "—"
          if (select.value !== kept) { select.value = ""; }
        })
        .finally(function () {
          if (request.elements.company.value !== company) { return; }
          select.disabled = false;
          request.dataset.slotsFor = company;
        });
    });
  }
})();
