/* The booth scanner: the phone's camera through jsQR (the same decoder as the door scanner), or a
   typed code. Each code is POSTed once to the scan API, which verifies it and answers a sentence
   to show. A code just sent is ignored for a few seconds, so one QR held up is one scan. */
(function () {
  "use strict";
  var root = document.getElementById("booth-scanner");
  if (!root) { return; }
  var data = root.dataset;
  var video = root.querySelector("[data-video]");
  var canvas = root.querySelector("[data-canvas]");
  var result = root.querySelector("[data-result]");
  var manual = root.querySelector("[data-manual]");
  var csrf = manual.querySelector("[name=csrfmiddlewaretoken]").value;
  var recent = {};
  var QUIET_MS = 4000;

  function show(message, ok) {
    result.textContent = message;
    result.classList.toggle("is-ok", ok === true);
    result.classList.toggle("is-error", ok === false);
  }

  function send(code) {
    var now = Date.now();
    if (recent[code] && now - recent[code] < QUIET_MS) { return; }
    recent[code] = now;
    window.fetch(data.scanUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      body: JSON.stringify({ code: code })
    }).then(function (response) { return response.json(); })
      .then(function (answer) { show(answer.message, Boolean(answer.ok)); })
      .catch(function () { delete recent[code]; show(data.textNetworkError, false); });
  }

  manual.addEventListener("submit", function (event) {
    event.preventDefault();
    var code = manual.code.value.trim();
    if (code) { recent[code] = 0; send(code); manual.code.value = ""; }
  });

  function tick() {
    if (video.readyState === video.HAVE_ENOUGH_DATA && window.jsQR) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      var context = canvas.getContext("2d", { willReadFrequently: true });
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var image = context.getImageData(0, 0, canvas.width, canvas.height);
      var found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      if (found && found.data) { send(found.data); }
    }
    window.requestAnimationFrame(tick);
  }

  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    video.hidden = true;
    show(data.textCameraError, false);
    return;
  }
  navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
    .then(function (stream) {
      video.srcObject = stream;
      return video.play();
    })
    .then(function () { show(data.textScanning); window.requestAnimationFrame(tick); })
    .catch(function () { video.hidden = true; show(data.textCameraError, false); });
})();
