/* The dashboard's participants-over-time chart, with the target and stretch
   target as flat lines, drawn with Chart.js from its json_script block. */
(function () {
  "use strict";

  var RED = "#c8102e";

  function draw() {
    var canvas = document.querySelector("canvas[data-dashboard-chart]");
    if (!canvas || !window.Chart || window.Chart.getChart(canvas)) return;
    var source = document.getElementById(canvas.dataset.series);
    if (!source) return;
    var series = JSON.parse(source.textContent);
    var datasets = [{
      label: canvas.dataset.label,
      data: series.values,
      borderColor: RED,
      backgroundColor: "rgba(200,16,46,0.12)",
      fill: true,
      borderWidth: 2,
      pointRadius: series.values.length < 3 ? 4 : 0,
      tension: 0
    }];
    [["target", canvas.dataset.targetLabel, [6, 4]], ["stretch", canvas.dataset.stretchLabel, [2, 3]]]
      .forEach(function (line) {
        if (!series[line[0]]) return;
        datasets.push({
          label: line[1],
          data: series.values.map(function () { return series[line[0]]; }),
          borderColor: "#555",
          borderDash: line[2],
          borderWidth: 1.5,
          pointRadius: 0,
          fill: false
        });
      });
    new window.Chart(canvas, {
      type: "line",
      data: { labels: series.labels, datasets: datasets },
      options: {
        maintainAspectRatio: false,
        locale: document.documentElement.lang || "vi",
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { display: datasets.length > 1, labels: { boxWidth: 12 } } },
        scales: {
          x: { grid: { display: false }, ticks: { maxTicksLimit: 6, maxRotation: 0 } },
          y: { beginAtZero: true, ticks: { maxTicksLimit: 6, precision: 0 } }
        }
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
