/* The programme's progress page and console dashboard: progress bars and ECharts charts drawn
   from a figures object (public_figures() / console_figures() on the server), redrawn when
   the live topic pushes new figures (programme.<series id>) or a snapshot is fetched.
   Text from the server is put in with textContent only. */
(function () {
  "use strict";
  var dataNode = document.getElementById("pg-figures");
  if (!dataNode) { return; }
  var labels = (document.getElementById("pg-labels") || {}).dataset || {};
  var live = document.getElementById("pg-live");
  var charts = {};
  var BLUE = ["#0b3d75", "#2f6fb3", "#63a0d8", "#9cc3e8", "#d98a00", "#22a55a", "#8a5cc2", "#c0504d"];

  function chart(name) {
    var node = document.querySelector('[data-chart="' + name + '"]');
    if (!node || !window.echarts) { return null; }
    if (!charts[name]) { charts[name] = window.echarts.init(node, null, { renderer: "svg" }); }
    return charts[name];
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = String(text); }
    return node;
  }

  function drawBars(targets) {
    var list = document.querySelector("[data-bars]");
    if (!list || !targets) { return; }
    list.textContent = "";
    targets.forEach(function (t) {
      var item = el("li", "pg-bar");
      var head = el("div", "pg-bar-head");
      head.appendChild(el("span", "pg-bar-title", t.title));
      var figure = el("span", "pg-bar-figure");
      figure.appendChild(el("strong", "", t.value));
      figure.appendChild(document.createTextNode(" / " + t.goal));
      head.appendChild(figure);
      var track = el("div", "pg-track");
      track.setAttribute("role", "progressbar");
      track.setAttribute("aria-label", t.title);
      track.setAttribute("aria-valuemin", "0");
      track.setAttribute("aria-valuemax", String(t.goal));
      track.setAttribute("aria-valuenow", String(t.value));
      var fill = el("div", "pg-fill" + (t.percent >= 100 ? " is-done" : ""));
      fill.style.width = Math.min(100, t.percent) + "%";
      track.appendChild(fill);
      item.appendChild(head);
      item.appendChild(track);
      item.appendChild(el("div", "pg-pct", t.percent + "%"));
      list.appendChild(item);
    });
  }

  function drawTotals(totals) {
    if (!totals) { return; }
    Object.keys(totals).forEach(function (key) {
      var node = document.querySelector('[data-total="' + key + '"]');
      if (node) { node.textContent = String(totals[key]); }
    });
  }

  function empty(c, rows) {
    if (rows.length) { return false; }
    c.clear();
    c.setOption({ title: { text: labels.empty || "", left: "center", top: "middle",
                           textStyle: { color: "#8a96a3", fontSize: 14, fontWeight: "normal" } } });
    return true;
  }

  function drawTrend(rows) {
    var c = chart("trend");
    if (!c || empty(c, rows)) { return; }
    var months = rows.map(function (r) { return r.month; });
    function serie(key, type, axis) {
      return { name: labels[key] || key, type: type, yAxisIndex: axis || 0, data: rows.map(function (r) { return r[key]; }),
               barMaxWidth: 22 };
    }
    c.setOption({
      color: BLUE, animation: false,
      tooltip: { trigger: "axis" },
      legend: { bottom: 0, itemWidth: 12, itemHeight: 8, textStyle: { fontSize: 11 } },
      grid: { left: 40, right: 36, top: 16, bottom: 48 },
      xAxis: { type: "category", data: months, axisLabel: { fontSize: 11 } },
      yAxis: [{ type: "value", minInterval: 1, axisLabel: { fontSize: 11 } },
              { type: "value", minInterval: 1, splitLine: { show: false }, axisLabel: { fontSize: 11 } }],
      series: [serie("people", "bar"), serie("projects", "line", 1), serie("outcomes", "line", 1),
               serie("events", "line", 1)]
    }, true);
  }

  function drawRanking(name, rows) {
    var c = chart(name);
    if (!c || empty(c, rows)) { return; }
    var top = rows.slice(0, 12).reverse();
    c.setOption({
      color: [BLUE[1]], animation: false, tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 78, right: 30, top: 8, bottom: 20 },
      xAxis: { type: "value", minInterval: 1, axisLabel: { fontSize: 11 } },
      yAxis: { type: "category", data: top.map(function (r) { return r.label; }), axisLabel: { fontSize: 11 } },
      series: [{ type: "bar", data: top.map(function (r) { return r.value; }), barMaxWidth: 16,
                 label: { show: true, position: "right", fontSize: 11 } }]
    }, true);
  }

  function drawPie(name, rows) {
    var c = chart(name);
    if (!c || empty(c, rows)) { return; }
    c.setOption({
      color: BLUE, animation: false, tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      legend: { bottom: 0, itemWidth: 10, itemHeight: 8, textStyle: { fontSize: 11 } },
      series: [{ type: "pie", radius: ["38%", "64%"], center: ["50%", "44%"], label: { fontSize: 11, formatter: "{b}\n{c}" },
                 data: rows.map(function (r) { return { name: r.label, value: r.value }; }) }]
    }, true);
  }

  function drawKinds(rows) {
    var c = chart("kinds");
    if (!c || empty(c, rows)) { return; }
    c.setOption({
      color: [BLUE[0], BLUE[3]], animation: false, tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { bottom: 0, itemWidth: 12, itemHeight: 8, textStyle: { fontSize: 11 } },
      grid: { left: 36, right: 12, top: 12, bottom: 60 },
      xAxis: { type: "category", data: rows.map(function (r) { return r.label; }), axisLabel: { fontSize: 11, interval: 0, rotate: 30 } },
      yAxis: { type: "value", minInterval: 1, axisLabel: { fontSize: 11 } },
      series: [{ name: labels.held, type: "bar", data: rows.map(function (r) { return r.held; }), barMaxWidth: 18 },
               { name: labels.planned, type: "bar", data: rows.map(function (r) { return r.planned; }), barMaxWidth: 18 }]
    }, true);
  }

  function draw(figures) {
    drawTotals(figures.totals);
    drawBars(figures.targets);
    drawTrend(figures.trend || []);
    drawRanking("provinces", figures.provinces || []);
    drawPie("university_types", figures.university_types || []);
    drawKinds(figures.kinds || []);
    document.dispatchEvent(new CustomEvent("programme:figures", { detail: figures }));
  }

  draw(JSON.parse(dataNode.textContent));
  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (k) { charts[k].resize(); });
  });

  if (live && window.BojuLive) {
    var snapshot = live.dataset.snapshot;
    var pending = null;
    new window.BojuLive({
      topics: [live.dataset.topic],
      snapshotUrl: snapshot,
      indicator: document.querySelector("[data-live-dot]"),
      onSnapshot: function (data) { draw(data); },
      onMessage: function (topic, payload) {
        if (!payload || payload.type !== "programme.figures") { return; }
        if (live.dataset.refetch) {
          // The console shows more than the public message carries: fetch its own figures,
          // at most every half second during a rush.
          if (pending) { return; }
          pending = window.setTimeout(function () {
            pending = null;
            window.fetch(snapshot, { credentials: "same-origin", headers: { Accept: "application/json" } })
              .then(function (r) { return r.ok ? r.json() : null; })
              .then(function (data) { if (data) { draw(data); } });
          }, 500);
        } else {
          draw(payload.figures);
        }
      }
    });
  }
}());
