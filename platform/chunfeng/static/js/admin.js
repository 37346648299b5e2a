// Administrator dashboard: draws each <canvas data-chart='{...}'> with Chart.js (served locally), and offers each
// drawn chart as a PNG (made here from the canvas, on a white ground; nothing leaves the browser).
// The same figures are in a table beside each chart and as a CSV from the server, so nothing depends on this script.
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

  // The chart as a PNG: copied onto a white canvas (a chart's own canvas is transparent), then saved.
  function png(canvas) {
    var copy = document.createElement('canvas');
    copy.width = canvas.width;
    copy.height = canvas.height;
    var context = copy.getContext('2d');
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, copy.width, copy.height);
    context.drawImage(canvas, 0, 0);
    return copy.toDataURL('image/png');
  }

  function offerPng(button) {
    var canvas = document.getElementById(button.dataset.chartPng);
    if (!canvas) { return; }
    button.hidden = false;
    button.addEventListener('click', function () {
      var link = document.createElement('a');
      link.href = png(canvas);
      link.download = button.dataset.filename || 'chart.png';
      document.body.appendChild(link);
      link.click();
      link.remove();
    });
  }

  document.querySelectorAll('canvas[data-chart]').forEach(build);
  document.querySelectorAll('[data-chart-png]').forEach(offerPng);
}());
