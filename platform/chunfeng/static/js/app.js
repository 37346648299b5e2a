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
// A table wider than its box scrolls inside it: such a box takes the keyboard focus so that it can be scrolled
// without a mouse (WCAG 2.1.1), and is named by its table's caption or heading for screen readers.
function markScrollableTables() {
  document.querySelectorAll('.table-responsive').forEach(function (box) {
    const scrolls = box.scrollWidth > box.clientWidth + 1;
    if (scrolls && !box.hasAttribute('tabindex')) {
      box.setAttribute('tabindex', '0');
      box.setAttribute('role', 'region');
      const caption = box.querySelector('caption');
      const label = caption ? caption.textContent.trim() : (document.title || '');
      if (!box.hasAttribute('aria-label')) { box.setAttribute('aria-label', label); }
    } else if (!scrolls && box.getAttribute('tabindex') === '0' && box.getAttribute('role') === 'region') {
      box.removeAttribute('tabindex');
      box.removeAttribute('role');
    }
  });
}
document.addEventListener('DOMContentLoaded', markScrollableTables);
window.addEventListener('resize', markScrollableTables);
