// Confirmation for destructive forms: <form data-confirm="message">. Kept out of the HTML for the CSP.
document.addEventListener('submit', function (event) {
  const form = event.target;
  if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
// Guard against double submission: disable submit buttons once a form is sent.
document.addEventListener('submit', function (event) {
  if (event.defaultPrevented) { return; }
  const form = event.target;
  window.setTimeout(function () {
    form.querySelectorAll('button[type=submit]').forEach(function (b) { b.disabled = true; });
  }, 0);
});
window.addEventListener('pageshow', function () {
  document.querySelectorAll('button[type=submit]:disabled').forEach(function (b) { b.disabled = false; });
});
