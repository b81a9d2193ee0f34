/* Tocsin dashboard behaviour: filters, map/table highlighting, and Plotly charts from data embedded in the page. */
"use strict";
document.querySelectorAll("[data-autosubmit]").forEach(function (el) {
  el.addEventListener("change", function () { el.form.submit(); });
});
(function linkMapAndTable() {
  var rows = document.querySelectorAll("#ranked tbody tr[data-iso3]");
  rows.forEach(function (tr) {
    var iso = tr.getAttribute("data-iso3");
    var path = iso && document.querySelector('.worldmap path[data-iso3="' + iso + '"]');
    if (!path) return;
    tr.addEventListener("mouseenter", function () { path.classList.add("hl"); });
    tr.addEventListener("mouseleave", function () { path.classList.remove("hl"); });
    path.addEventListener("mouseenter", function () { tr.classList.add("hl"); });
    path.addEventListener("mouseleave", function () { tr.classList.remove("hl"); });
  });
})();

var TocsinCharts = (function () {
  function data(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : []; }
  function ok(id) { return window.Plotly && document.getElementById(id); }
  var layout = { margin: { l: 55, r: 15, t: 10, b: 35 }, legend: { orientation: "h", y: 1.12 }, hovermode: "x unified",
                 font: { family: "system-ui, sans-serif", size: 12 } };
  var config = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["toImage"] };
  function pct(v) { return v == null ? null : 100 * v; }
  function country() {
    var h = data("history-data");
    if (ok("risk-chart") && h.length) {
      var past = h.filter(function (r) { return r.kind === "backtest"; });
      var fc = h.filter(function (r) { return r.kind === "forecast"; });
      var onsets = h.filter(function (r) { return r.onset === 1; });
      Plotly.newPlot("risk-chart", [
        { x: past.map(function (r) { return r.year; }), y: past.map(function (r) { return pct(r.risk); }), name: "Model (backtest)", mode: "lines+markers", line: { color: "#9b1c1c" } },
        { x: h.map(function (r) { return r.year; }), y: h.map(function (r) { return pct(r.ewp_risk); }), name: "EWP published", mode: "lines", line: { color: "#555", dash: "dot" } },
        { x: fc.map(function (r) { return r.year; }), y: fc.map(function (r) { return pct(r.risk); }), name: "Latest forecast", mode: "markers", marker: { size: 12, color: "#9b1c1c", symbol: "star" } },
        { x: onsets.map(function (r) { return r.year; }), y: onsets.map(function (r) { return pct(r.risk); }), name: "Onset that year", mode: "markers", marker: { size: 12, color: "#d00", symbol: "diamond-open", line: { width: 2 } } }
      ], Object.assign({}, layout, { yaxis: { title: "Risk within 2 years (%)", rangemode: "tozero" } }), config);
      Plotly.newPlot("rank-chart", [
        { x: h.map(function (r) { return r.year; }), y: h.map(function (r) { return r.rank; }), name: "Model rank", mode: "lines+markers", line: { color: "#9b1c1c" } },
        { x: h.map(function (r) { return r.year; }), y: h.map(function (r) { return r.ewp_rank; }), name: "EWP rank", mode: "lines", line: { color: "#555", dash: "dot" } }
      ], Object.assign({}, layout, { yaxis: { title: "Rank (1 = highest)", autorange: "reversed" } }), config);
    }
    var inc = data("incident-data");
    if (ok("incident-chart") && inc.length) {
      var cats = Array.from(new Set(inc.map(function (r) { return r.category; })));
      Plotly.newPlot("incident-chart", cats.map(function (c) {
        var rows = inc.filter(function (r) { return r.category === c; });
        return { type: "bar", name: c.replace(/_/g, " "), x: rows.map(function (r) { return r.week_start; }), y: rows.map(function (r) { return r.incidents; }) };
      }), Object.assign({}, layout, { barmode: "stack", yaxis: { title: "Incidents per week" } }), config);
    }
  }
  function compare() {
    var items = data("compare-data");
    if (!ok("compare-chart") || !items.length) return;
    var risk = [], rank = [];
    items.forEach(function (it) {
      var name = it.summary.country.display_name;
      risk.push({ x: it.history.map(function (r) { return r.year; }), y: it.history.map(function (r) { return pct(r.risk); }), name: name, mode: "lines+markers" });
      rank.push({ x: it.history.map(function (r) { return r.year; }), y: it.history.map(function (r) { return r.rank; }), name: name, mode: "lines" });
    });
    Plotly.newPlot("compare-chart", risk, Object.assign({}, layout, { yaxis: { title: "Risk within 2 years (%)", rangemode: "tozero" } }), config);
    Plotly.newPlot("compare-rank", rank, Object.assign({}, layout, { yaxis: { title: "Rank", autorange: "reversed" } }), config);
  }
  function track() {
    var py = data("per-year-data");
    if (!ok("recall-chart") || !py.length) return;
    Plotly.newPlot("recall-chart", [
      { type: "bar", name: "Model", x: py.map(function (r) { return r.year; }), y: py.map(function (r) { return pct(r.top30_recall); }), marker: { color: "#9b1c1c" } },
      { type: "bar", name: "EWP published", x: py.map(function (r) { return r.year; }), y: py.map(function (r) { return pct(r.top30_recall_ewp); }), marker: { color: "#999" } }
    ], Object.assign({}, layout, { yaxis: { title: "Onsets in top 30 (%)" } }), config);
  }
  return { country: country, compare: compare, track: track };
})();
