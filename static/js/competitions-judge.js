/* The judge's phone during the final: when the organizer puts another team on stage (or the
   round closes), reload to get that team's scorecard. The pushes carry no scores. */
(function () {
  "use strict";
  var root = document.getElementById("live-judge");
  if (!root) { return; }
  var position = root.dataset.position;
  var status = root.dataset.status;
  function check(state) {
    if (!state || state.type !== "final.state") { return; }
    var now = state.current === null ? "" : String(state.current);
    if (now !== position || state.status !== status) { window.location.reload(); }
  }
  new window.BojuLive({
    topics: [root.dataset.topic],
    snapshotUrl: root.dataset.snapshot,
    onSnapshot: check,
    onMessage: function (topic, payload) { check(payload); },
    indicator: root.querySelector("[data-live-dot]")
  });
})();
