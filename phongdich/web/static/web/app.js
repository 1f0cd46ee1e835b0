// Small progressive enhancements; every page works without this file.
document.addEventListener("click", function (event) {
  // Buttons that destroy or merge something ask first (data-confirm="...").
  const el = event.target.closest("[data-confirm]");
  if (el && !window.confirm(el.dataset.confirm)) {
    event.preventDefault();
  }
});
// Disable a form's submit buttons once it is sent, so a double click posts only once
// (the server also guards against duplicates with idempotency keys where it matters).
document.addEventListener("submit", function (event) {
  const form = event.target;
  if (form.dataset.noDisable !== undefined) return;
  window.setTimeout(function () {
    form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (b) {
      b.disabled = true;
    });
  }, 0);
});
