/* The public "people inside" count on an event page. It rides on the page's own live
   connection (event-live.js re-broadcasts its messages and snapshots as DOM events), so the
   page keeps one WebSocket. Counts only rise: the larger number wins. */
(function () {
  "use strict";
  var box = document.querySelector("[data-checkin-inside]");
  if (!box) { return; }
  var eventId = Number(box.getAttribute("data-event"));
  var shown = box.querySelector("[data-inside-count]");
  function show(n) {
    if (typeof n === "number" && n > Number(shown.textContent || 0)) { shown.textContent = String(n); }
  }
  document.addEventListener("boju:live-message", function (e) {
    var p = e.detail && e.detail.payload;
    if (p && p.type === "checkin.inside" && p.event === eventId) { show(p.inside); }
  });
  document.addEventListener("boju:live-snapshot", function () {
    window.fetch(box.getAttribute("data-url"), { cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) { if (d) { shown.textContent = String(d.inside); } })
      .catch(function () {});
  });
})();
