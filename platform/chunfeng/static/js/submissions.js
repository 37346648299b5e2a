// Receipt page: the print button (kept out of the HTML for the CSP).
document.querySelectorAll('[data-print]').forEach(function (button) {
  button.addEventListener('click', function () { window.print(); });
});
