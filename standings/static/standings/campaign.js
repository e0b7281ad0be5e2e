/* The campaign page's standings: draws the km-per-day and participants charts
   with Chart.js from their json_script blocks, and again after htmx swaps in
   fresh figures (the canvases are new then), without animating the redraw.
   Which unit boards were open survives the swap. */
(function () {
  "use strict";

  var RED = "#c8102e";
  var drawn = [];
  var openBoards = [];

  function readJSON(id) {
    var el = id && document.getElementById(id);
    if (!el) return null;
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  function forget() {
    drawn = drawn.filter(function (chart) {
      if (document.body.contains(chart.canvas)) return true;
      chart.destroy();
      return false;
    });
  }

  function draw(animate) {
    if (!window.Chart) return;
    forget();
    document.querySelectorAll("canvas[data-standings-chart]").forEach(function (canvas) {
      if (window.Chart.getChart(canvas)) return;
      var series = readJSON(canvas.dataset.series);
      if (!series) return;
      var bar = canvas.dataset.standingsChart === "bar";
      var chart = new window.Chart(canvas, {
        type: bar ? "bar" : "line",
        data: {
          labels: series.labels,
          datasets: [{
            label: canvas.dataset.label,
            data: series.values,
            borderColor: RED,
            backgroundColor: bar ? "rgba(200,16,46,0.75)" : "rgba(200,16,46,0.12)",
            fill: !bar,
            borderWidth: bar ? 0 : 2,
            pointRadius: series.values.length < 3 ? 4 : 0,
            tension: 0
          }]
        },
        options: {
          animation: animate ? {} : false,
          maintainAspectRatio: false,
          locale: document.documentElement.lang || "vi",
          interaction: { mode: "index", intersect: false },
          plugins: { legend: { display: false } },
          scales: {
            x: { grid: { display: false }, ticks: { maxTicksLimit: 7, maxRotation: 0 } },
            y: { beginAtZero: true, ticks: { maxTicksLimit: 6, precision: bar ? undefined : 0 } }
          }
        }
      });
      canvas.dataset.drawn = "true";
      drawn.push(chart);
    });
  }

  document.addEventListener("htmx:beforeSwap", function () {
    openBoards = Array.prototype.map.call(
      document.querySelectorAll("#campaign-standings details[open]"),
      function (el) { return el.id; }
    );
  });

  document.addEventListener("htmx:afterSettle", function () {
    openBoards.forEach(function (id) {
      var el = document.getElementById(id);
      if (el) el.open = true;
    });
    draw(false);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { draw(true); });
  } else {
    draw(true);
  }
})();
