/* The fair's booth map: draws every hall as an SVG grid from the snapshot, keeps it live.

   window.BojuFairMap.draw(container, snapshot, options) is shared with the floor-plan editor.
   The page's own part reads its configuration and every sentence from data- attributes on
   #fair-map (see templates/fairs/map.html); pushes carry one booth with its version, and a
   booth only changes to a newer version than the one on screen. */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var CELL = 26;   // pixels per grid cell: a 2×2 booth is 52 px, big enough to tap on a phone

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (parent) { parent.appendChild(node); }
    return node;
  }

  // Almost every company at a Qingdao fair is "青岛……有限公司": the label shows what tells them
  // apart, without the city in front and the legal form behind (the <title> keeps the full name).
  var NAME_PREFIX = /^(山东省|山东|青岛市|青岛|Qingdao\s+)/i;
  var NAME_SUFFIX = /(股份有限公司|有限责任公司|有限公司|集团公司|公司|,?\s*(Co\.,?\s*)?(Ltd|Inc|LLC)\.?)$/i;

  function distinctiveName(name) {
    var core = name.replace(NAME_SUFFIX, "");
    if (core === name) { return name; }   // not a company's legal name (青岛大学 stays whole)
    core = core.replace(NAME_PREFIX, "").trim();
    return core.length >= 2 ? core : name;
  }

  function shortName(name, cells) {
    var room = Math.max(2, cells * 2);   // two CJK characters (10 px) per 26 px cell, the last one "…"
    name = distinctiveName(name);
    return name.length > room ? name.slice(0, room - 1) + "…" : name;
  }

  function paintBooth(group, booth, options) {
    var mine = (options.mine || []).indexOf(booth.id) >= 0;
    group.setAttribute("class", "booth is-" + booth.status + (mine ? " is-mine" : "") +
      ((options.highlight || []).indexOf(booth.id) >= 0 ? " is-highlight" : "") +
      (options.selected === booth.id ? " is-selected" : ""));
    group.setAttribute("transform", "translate(" + booth.x * CELL + "," + booth.y * CELL + ")");
    group.setAttribute("data-status", booth.status);
    group.setAttribute("data-code", booth.code);
    var rect = group.querySelector("rect");
    rect.setAttribute("width", booth.w * CELL - 3);
    rect.setAttribute("height", booth.h * CELL - 3);
    var texts = group.querySelectorAll("text");
    var tiny = booth.w < 2;   // a one-cell-wide booth: a smaller code and no name (its colour says booked)
    texts[0].setAttribute("font-size", tiny ? 8 : 12);
    texts[0].textContent = booth.code;
    texts[0].setAttribute("x", (booth.w * CELL - 3) / 2);
    texts[1].textContent = booth.company && !tiny ? shortName(booth.company, booth.w) : "";
    texts[1].setAttribute("x", (booth.w * CELL - 3) / 2);
    texts[1].setAttribute("y", booth.h > 1 ? 34 : 22);
    group.querySelector("title").textContent = booth.code + (booth.company ? " · " + booth.company : "");
  }

  function draw(container, snapshot, options) {
    options = options || {};
    container.textContent = "";
    var byId = {};
    snapshot.halls.forEach(function (hall) {
      var heading = document.createElement("h2");
      heading.className = "hall-name";
      heading.textContent = hall.name;
      container.appendChild(heading);
      var scroller = document.createElement("div");
      scroller.className = "hall-scroll";
      container.appendChild(scroller);
      var width = hall.columns * CELL, height = hall.rows * CELL;
      var svg = el("svg", { viewBox: "0 0 " + width + " " + height, width: width, height: height,
        role: "group", "aria-label": hall.name, "data-hall": hall.id, "class": "hall-svg" }, scroller);
      if (hall.image) {
        el("image", { href: hall.image, x: 0, y: 0, width: width, height: height,
          preserveAspectRatio: "none", opacity: "0.55" }, svg);
      } else {
        var grid = el("g", { "class": "hall-grid" }, svg);
        for (var c = 0; c <= hall.columns; c += 1) { el("line", { x1: c * CELL, y1: 0, x2: c * CELL, y2: height }, grid); }
        for (var r = 0; r <= hall.rows; r += 1) { el("line", { x1: 0, y1: r * CELL, x2: width, y2: r * CELL }, grid); }
      }
      byId[hall.id] = svg;
    });
    var groups = {};
    snapshot.booths.forEach(function (booth) {
      var svg = byId[booth.hall];
      if (!svg) { return; }
      var group = el("g", { "data-booth": booth.id, tabindex: "0", role: "button" }, svg);
      el("title", {}, group);
      el("rect", { rx: 4, ry: 4, x: 1.5, y: 1.5 }, group);
      el("text", { "class": "booth-code", y: 18, "text-anchor": "middle" }, group);
      el("text", { "class": "booth-company", y: 34, "text-anchor": "middle" }, group);
      paintBooth(group, booth, options);
      groups[booth.id] = group;
    });
    return groups;
  }

  window.BojuFairMap = { draw: draw, paintBooth: paintBooth, CELL: CELL };

  // --- the public map page ------------------------------------------------------------------
  var root = document.getElementById("fair-map");
  var source = document.getElementById("fair-snapshot");
  if (!root || !source) { return; }
  var data = root.dataset;
  var fairId = Number(data.fair);
  var snapshot = JSON.parse(source.textContent);
  var halls = root.querySelector("[data-halls]");
  var panel = document.querySelector("[data-booth-panel]");
  var options = {
    mine: snapshot.mine,
    highlight: (data.highlight || "").split(",").filter(Boolean).map(Number),
    selected: null
  };
  var booths = {};      // id -> booth state on screen
  var groups = {};

  function text(name, values) {
    var out = data[name] || "";
    Object.keys(values || {}).forEach(function (key) { out = out.replace("{" + key + "}", values[key]); });
    return out;
  }

  function statusText(booth) {
    if ((options.mine || []).indexOf(booth.id) >= 0 && booth.status !== "free") {
      return text("textMine") + " · " + text(booth.status === "booked" ? "textBooked" : "textHeld");
    }
    return text("text" + booth.status.charAt(0).toUpperCase() + booth.status.slice(1));
  }

  function showPanel(booth) {
    if (!panel) { return; }
    options.selected = booth ? booth.id : null;
    Object.keys(groups).forEach(function (id) { groups[id].classList.toggle("is-selected", Number(id) === options.selected); });
    if (!booth) { panel.hidden = true; return; }
    panel.hidden = false;
    panel.querySelector("[data-panel-code]").textContent = booth.code;
    var badge = panel.querySelector("[data-panel-status]");
    badge.textContent = statusText(booth);
    badge.setAttribute("data-status", booth.status);
    panel.querySelector("[data-panel-facts]").textContent =
      text("textSize", { n: booth.size }) + (booth.zone ? " · " + text("textZone") + " " + booth.zone : "");
    panel.querySelector("[data-panel-company]").textContent = booth.company || "";
    var form = panel.querySelector("[data-panel-form]");
    var canBook = data.canBook === "1" && booth.status === "free";
    form.hidden = !canBook;
    var button = panel.querySelector("[data-panel-book]");
    if (canBook) {
      form.action = data.bookUrl.replace(/\/0\/book\/$/, "/" + booth.id + "/book/");
      button.textContent = snapshot.booking_open ? text("textBook") : text("textBookingClosed");
      button.disabled = !snapshot.booking_open;
      form.setAttribute("data-confirm", text("textBookConfirm", { code: booth.code }));
    }
  }

  function render() {
    groups = draw(halls, { halls: snapshot.halls, booths: snapshot.booths }, options);
    booths = {};
    snapshot.booths.forEach(function (booth) { booths[booth.id] = booth; });
    Object.keys(groups).forEach(function (id) {
      var group = groups[id];
      var open = function () { showPanel(booths[Number(id)]); };
      group.addEventListener("click", open);
      group.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); open(); }
      });
    });
    if (options.selected && booths[options.selected]) { showPanel(booths[options.selected]); }
    var first = options.highlight.length && groups[options.highlight[0]];
    if (first && !render.scrolled) {
      render.scrolled = true;
      first.scrollIntoView({ block: "center", inline: "center" });
    }
  }

  function onSnapshot(fresh) {
    // A booth keeps a newer version already shown by a push that overtook this answer.
    fresh.booths = fresh.booths.map(function (booth) {
      var shown = booths[booth.id];
      return shown && shown.version > booth.version ? shown : booth;
    });
    snapshot = fresh;
    options.mine = fresh.mine;
    render();
  }

  function onMessage(topic, payload) {
    if (payload.type !== "fair.booth" || payload.fair !== fairId) { return; }
    var booth = payload.booth;
    var shown = booths[booth.id];
    if (shown && shown.version >= booth.version) { return; }   // older than what is on screen
    if (!shown || booth.deleted || shown.hall !== booth.hall) {
      live.refreshSoon(100);   // a booth appeared, vanished or changed hall: redraw from a snapshot
      return;
    }
    if (booth.status === "free") {
      options.mine = (options.mine || []).filter(function (id) { return id !== booth.id; });
    }
    booths[booth.id] = booth;
    snapshot.booths = snapshot.booths.map(function (b) { return b.id === booth.id ? booth : b; });
    paintBooth(groups[booth.id], booth, options);
    if (options.selected === booth.id) { showPanel(booth); }
    // A booth that became "held" or "booked" may be this company's own: ask who holds it.
    if (data.company && booth.status !== "free") { live.refreshSoon(); }
  }

  document.querySelectorAll("form[data-panel-form]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });

  render();
  var live = new window.BojuLive({
    topics: [data.liveTopic],
    snapshotUrl: data.snapshotUrl,
    onSnapshot: onSnapshot,
    onMessage: onMessage,
    indicator: root.querySelector("[data-live-dot]")
  });
})();
