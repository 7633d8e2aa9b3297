/* Organizer console: confirm destructive forms; offer only the chosen series' actions. */
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });

  var series = document.getElementById("id_series");
  var action = document.getElementById("id_action");
  if (!series || !action) { return; }
  // The server sent only the chosen series' actions when it knew the series; fetching every
  // action once keeps the list right when the organizer switches series before saving.
  var all = Array.prototype.slice.call(action.querySelectorAll("option[data-series]"));
  var source = document.getElementById("console-actions");
  if (source) {
    try {
      JSON.parse(source.textContent).forEach(function (item) {
        if (!action.querySelector('option[value="' + item.id + '"]')) {
          var option = document.createElement("option");
          option.value = item.id; option.textContent = item.title; option.setAttribute("data-series", item.series);
          action.appendChild(option); all.push(option);
        }
      });
    } catch (e) { /* the server-side list still works */ }
  }
  function filter() {
    all.forEach(function (option) {
      var match = option.getAttribute("data-series") === series.value;
      option.hidden = !match; option.disabled = !match;
      if (!match && option.selected) { action.value = ""; }
    });
  }
  series.addEventListener("change", filter);
  filter();
})();
