// Administrator dashboard: draws each <canvas data-chart='{...}'> with Chart.js (served locally).
// The same figures are in a table beside each chart, so nothing depends on this script.
(function () {
  'use strict';
  if (typeof window.Chart === 'undefined') { return; }
  var palette = ['#1f7a5a', '#f0ad4e', '#5b8def', '#d9534f', '#8e6bbf', '#20a0a0', '#a0a040', '#c07040', '#6c757d'];

  function colour(i) { return palette[i % palette.length]; }

  function build(canvas) {
    var spec = JSON.parse(canvas.dataset.chart);
    var round = spec.type === 'doughnut';
    var datasets = spec.datasets.map(function (d, i) {
      return {
        label: d.label,
        data: d.data,
        backgroundColor: round ? d.data.map(function (_v, j) { return colour(j); }) : colour(i),
        borderWidth: round ? 1 : 0
      };
    });
    var options = {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: round || datasets.length > 1, position: 'bottom' } }
    };
    if (!round) {
      options.indexAxis = spec.horizontal ? 'y' : 'x';
      options.scales = {
        x: { stacked: spec.stacked, beginAtZero: true, ticks: { precision: 0 } },
        y: { stacked: spec.stacked, beginAtZero: true, ticks: { precision: 0 } }
      };
    }
    return new window.Chart(canvas, { type: spec.type, data: { labels: spec.labels, datasets: datasets }, options: options });
  }

  document.querySelectorAll('canvas[data-chart]').forEach(build);
}());
