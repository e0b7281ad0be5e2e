/* Draws every activity panel (activities/_activity_panel.html): the route on a
   Leaflet map and the speed / elevation / heart-rate chart with Chart.js.
   Data comes from json_script blocks named by the panel's data attributes.
   The route is an SVG polyline, so it shows even when tiles cannot load. */
(function () {
  "use strict";

  function readJSON(id) {
    var el = id && document.getElementById(id);
    if (!el) return null;
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  function drawMap(panel) {
    var box = panel.querySelector("[data-activity-map]");
    var track = readJSON(panel.dataset.track);
    if (!box || !window.L || !track || track.length < 1) return;
    var tiles = readJSON(panel.dataset.tiles) || {};
    var map = L.map(box, { preferCanvas: false, scrollWheelZoom: false, tap: false });
    if (tiles.tiles) {
      L.tileLayer(tiles.tiles, { maxZoom: 19, attribution: tiles.attribution || "" }).addTo(map);
    }
    var line = L.polyline(track, { color: "#c8102e", weight: 4, opacity: 0.9 }).addTo(map);
    L.circleMarker(track[0], { radius: 6, color: "#14532d", fillColor: "#22c55e", fillOpacity: 1 }).addTo(map);
    L.circleMarker(track[track.length - 1], { radius: 6, color: "#7f1d1d", fillColor: "#c8102e", fillOpacity: 1 }).addTo(map);
    map.fitBounds(line.getBounds(), { padding: [16, 16] });
    box._kindstepsMap = map;
  }

  function drawChart(panel) {
    var canvas = panel.querySelector("[data-activity-chart]");
    var series = readJSON(panel.dataset.series);
    if (!canvas || !window.Chart || !series || !series.km || !series.km.length) return;
    var labels = canvas.dataset;
    var datasets = [{
      label: labels.labelSpeed, data: series.kmh, yAxisID: "y",
      borderColor: "#c8102e", backgroundColor: "rgba(200,16,46,0.12)", fill: true,
      pointRadius: 0, borderWidth: 2, tension: 0.25
    }];
    var scales = {
      x: {
        type: "linear", min: 0, max: series.km[series.km.length - 1],
        title: { display: true, text: labels.labelKm }, ticks: { maxTicksLimit: 8 }
      },
      y: { position: "left", beginAtZero: true, title: { display: true, text: labels.labelSpeed } }
    };
    if (series.ele && series.ele.some(function (v) { return v !== null; })) {
      datasets.push({
        label: labels.labelEle, data: series.ele, yAxisID: "yEle",
        borderColor: "#6b7280", pointRadius: 0, borderWidth: 1.5, spanGaps: true
      });
      scales.yEle = { position: "right", grid: { drawOnChartArea: false }, title: { display: false } };
    }
    if (series.hr && series.hr.some(function (v) { return v !== null; })) {
      datasets.push({
        label: labels.labelHr, data: series.hr, yAxisID: "yHr",
        borderColor: "#2563eb", pointRadius: 0, borderWidth: 1.5, spanGaps: true
      });
      scales.yHr = { position: "right", grid: { drawOnChartArea: false }, title: { display: false } };
    }
    // Points as {x: km, y: value} so the x axis is the distance, not an index.
    datasets.forEach(function (set) {
      set.data = set.data.map(function (v, i) { return { x: series.km[i], y: v }; });
    });
    new Chart(canvas, {
      type: "line",
      data: { datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false, parsing: true,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
        scales: scales
      }
    });
  }

  function init(root) {
    (root || document).querySelectorAll("[data-activity-panel]").forEach(function (panel) {
      if (panel.dataset.drawn) return;
      panel.dataset.drawn = "1";
      drawMap(panel);
      drawChart(panel);
    });
  }

  window.KindStepsActivity = { init: init };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
