// Review form: the running weighted total, and a confirmation before the submit button locks the review.
(function () {
  const form = document.getElementById('review-form');
  if (!form) { return; }
  const output = document.getElementById('running-total');

  function runningTotal() {
    let total = 0;
    let scored = 0;
    const blocks = form.querySelectorAll('fieldset[data-weight]');
    blocks.forEach(function (block) {
      const checked = block.querySelector('input.score-input:checked');
      if (checked) {
        total += parseFloat(block.dataset.weight) * (parseInt(checked.value, 10) - 1) / 4;
        scored += 1;
      }
    });
    output.textContent = scored === blocks.length ? total.toFixed(1) : total.toFixed(1) + ' (' + scored + '/' + blocks.length + ')';
  }

  form.addEventListener('change', runningTotal);
  runningTotal();

  form.querySelectorAll('button[data-confirm]').forEach(function (button) {
    button.addEventListener('click', function (event) {
      if (!window.confirm(button.dataset.confirm)) { event.preventDefault(); }
    });
  });
})();
