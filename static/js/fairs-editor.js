/* The floor-plan editor (console): add booths by clicking the grid, drag to move, select to
   rename, resize, re-zone, close or delete. Every change is one POST of JSON to the server,
   which checks it (bounds, unique code, no closing a booked booth) and answers the booth's new
   state; sentences come from data- attributes on #floor-editor. */
(function () {
  "use strict";
  var root = document.getElementById("floor-editor");
  var source = document.getElementById("fair-snapshot-editor");
  if (!root || !source || !window.BojuFairMap) { return; }
  var Map = window.BojuFairMap;
  var data = root.dataset;
  var snapshot = JSON.parse(source.textContent);
  var container = root.querySelector("[data-halls]");
  var select = root.querySelector("[data-hall-select]");
  var status = root.querySelector("[data-status]");
  var form = root.querySelector("[data-booth-form]");
  var csrf = (document.querySelector("[name=csrfmiddlewaretoken]") || {}).value || "";
  var mode = "move";
  var selected = null;
  var groups = {};

  function say(message, isError) {
    status.textContent = message;
    status.classList.toggle("is-error", Boolean(isError));
  }

  function post(url, body) {
    return window.fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return { ok: false, message: String(response.status) }; });
    });
  }

  function hallId() { return Number(select.value); }
  function hall() { return snapshot.halls.filter(function (h) { return h.id === hallId(); })[0]; }

  function draw() {
    var booths = snapshot.booths.filter(function (b) { return b.hall === hallId(); });
    groups = Map.draw(container, { halls: [hall()], booths: booths }, { selected: selected ? selected.id : null });
    Object.keys(groups).forEach(function (id) { attach(groups[id], Number(id)); });
  }

  function replace(booth) {
    var found = false;
    snapshot.booths = snapshot.booths.map(function (b) {
      if (b.id === booth.id) { found = true; return booth; }
      return b;
    });
    if (!found) { snapshot.booths.push(booth); }
  }

  function byId(id) { return snapshot.booths.filter(function (b) { return b.id === id; })[0]; }

  function nextCode() {
    var prefix = (hall().name.match(/[A-Za-z]/) || ["A"])[0].toUpperCase();
    var taken = {};
    snapshot.booths.forEach(function (b) { taken[b.code] = true; });
    for (var n = 1; n < 1000; n += 1) {
      var code = prefix + "-" + (n < 10 ? "0" + n : n);
      if (!taken[code]) { return code; }
    }
    return prefix + "-" + Date.now() % 1000;
  }

  function cellAt(svg, event) {
    var box = svg.getBoundingClientRect();
    var scale = box.width / Number(svg.getAttribute("width"));
    return { x: Math.floor((event.clientX - box.left) / scale / Map.CELL),
             y: Math.floor((event.clientY - box.top) / scale / Map.CELL) };
  }

  function showForm(booth) {
    selected = booth;
    form.hidden = !booth;
    if (!booth) { return; }
    form.code.value = booth.code;
    form.zone.value = booth.zone;
    form.w.value = booth.w;
    form.h.value = booth.h;
    form.size.value = booth.size;
    form.is_closed.checked = booth.status === "closed";
  }

  function save(booth, changes) {
    return post(data.updateUrl.replace(/\/0\/$/, "/" + booth.id + "/"), changes).then(function (answer) {
      if (answer.ok && answer.booth) {
        replace(answer.booth);
        // The form shows what was stored (the server upper-cases codes, trims zones).
        if (selected && selected.id === answer.booth.id) { showForm(answer.booth); }
        say(data.textSaved + " " + answer.booth.code);
      } else {
        say(data.textError + (answer.message || ""), true);
      }
      draw();
      return answer;
    });
  }

  function attach(group, id) {
    var start = null;
    group.addEventListener("pointerdown", function (event) {
      if (mode !== "move") { return; }
      event.preventDefault();
      event.stopPropagation();
      group.setPointerCapture(event.pointerId);
      start = { cell: cellAt(group.ownerSVGElement, event), moved: false };
    });
    group.addEventListener("pointermove", function (event) {
      if (!start) { return; }
      var cell = cellAt(group.ownerSVGElement, event);
      var booth = byId(id);
      var dx = cell.x - start.cell.x, dy = cell.y - start.cell.y;
      if (dx || dy) { start.moved = true; }
      group.setAttribute("transform", "translate(" + (booth.x + dx) * Map.CELL + "," + (booth.y + dy) * Map.CELL + ")");
    });
    group.addEventListener("pointerup", function (event) {
      if (!start) { return; }
      var cell = cellAt(group.ownerSVGElement, event);
      var booth = byId(id);
      var moved = start.moved;
      var dx = cell.x - start.cell.x, dy = cell.y - start.cell.y;
      start = null;
      if (moved && (dx || dy)) {
        save(booth, { x: Math.max(0, booth.x + dx), y: Math.max(0, booth.y + dy) });
      } else {
        showForm(booth);
        draw();
      }
    });
  }

  container.addEventListener("click", function (event) {
    if (mode !== "add") { return; }
    var svg = event.target.closest("svg");
    if (!svg || event.target.closest("[data-booth]")) { return; }
    var cell = cellAt(svg, event);
    post(data.createUrl, { hall: hallId(), code: nextCode(), x: cell.x, y: cell.y, width: 2, height: 2, size: 9 })
      .then(function (answer) {
        if (answer.ok) {
          replace(answer.booth);
          say(data.textSaved + " " + answer.booth.code);
          showForm(answer.booth);
        } else {
          say(data.textError + (answer.message || ""), true);
        }
        draw();
      });
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!selected) { return; }
    save(selected, { code: form.code.value, zone: form.zone.value, width: Number(form.w.value),
      height: Number(form.h.value), size: Number(form.size.value), is_closed: form.is_closed.checked });
  });

  form.querySelector("[data-delete]").addEventListener("click", function () {
    if (!selected || !window.confirm(data.textDeleteConfirm)) { return; }
    var booth = selected;
    post(data.updateUrl.replace(/\/0\/$/, "/" + booth.id + "/"), { "delete": true }).then(function (answer) {
      if (answer.ok) {
        snapshot.booths = snapshot.booths.filter(function (b) { return b.id !== booth.id; });
        showForm(null);
        say(data.textSaved);
      } else {
        say(data.textError + (answer.message || ""), true);
      }
      draw();
    });
  });

  root.querySelectorAll("[data-mode]").forEach(function (button) {
    button.addEventListener("click", function () {
      mode = button.getAttribute("data-mode");
      root.querySelectorAll("[data-mode]").forEach(function (b) { b.classList.toggle("is-on", b === button); });
      say(mode === "add" ? data.textAddHint : data.textMoveHint);
    });
  });
  select.addEventListener("change", function () { showForm(null); draw(); });
  draw();
})();
