// Hotline desk helpers: live SLA countdowns and Ctrl+Enter to submit. Pages work without it.
(function () {
  function fmt(ms) {
    const minutes = Math.floor(Math.abs(ms) / 60000);
    const h = Math.floor(minutes / 60);
    const m = minutes % 60;
    return (h ? h + " giờ " : "") + m + " phút";
  }
  function tick() {
    const now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (el) {
      const left = new Date(el.dataset.due).getTime() - now;
      el.textContent = left >= 0 ? "còn " + fmt(left) : "quá hạn " + fmt(left);
      el.classList.toggle("danger", left < 0);
    });
  }
  tick();
  window.setInterval(tick, 30000);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      const form = event.target.closest("form");
      if (form) {
        event.preventDefault();
        form.requestSubmit();
      }
    }
  });
})();
