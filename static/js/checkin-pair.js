/* Pairing: the one-time code becomes this browser's device token (kept in localStorage). */
(function () {
  "use strict";
  var form = document.querySelector("[data-checkin-pair]");
  if (!form) { return; }
  var error = form.querySelector("[data-error]");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    error.hidden = true;
    window.fetch(form.getAttribute("data-api"), {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ code: form.elements.code.value })
    }).then(function (r) { return r.json(); }).then(function (data) {
      if (data.result !== "ok") { throw new Error("pair"); }
      window.localStorage.setItem("boju.checkin.token", data.token);
      window.localStorage.setItem("boju.checkin.device", data.name || "");
      if (data.events && data.events.length) { window.localStorage.setItem("boju.checkin.event", String(data.events[0].id)); }
      window.location.href = form.getAttribute("data-next");
    }).catch(function (e) {
      error.textContent = form.getAttribute(e && e.message === "pair" ? "data-text-error" : "data-text-network");
      error.hidden = false;
    });
  });
})();
