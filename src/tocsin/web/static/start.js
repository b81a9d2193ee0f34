/* Runs the page's charts (named by data-run) without an inline script, so the CSP can forbid inline scripts. */
"use strict";
(function () {
  var me = document.currentScript;
  var run = me && me.getAttribute("data-run");
  if (run && window.TocsinCharts && typeof window.TocsinCharts[run] === "function") window.TocsinCharts[run]();
})();
