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
  if (event.defaultPrevented || form.dataset.noDisable !== undefined) return;
  window.setTimeout(function () {
    form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (b) {
      b.disabled = true;
    });
  }, 0);
});

// Irreversible or outward actions (web/_confirm.html): ask in a <dialog> that says what will
// happen. The no-JS tick box is hidden and ticked only when the user agrees, so the server's
// check (lib/confirm.py) still sees an explicit "yes".
(function () {
  let dialog = null;
  function ask(step, onOk) {
    if (!dialog) {
      dialog = document.createElement("dialog");
      dialog.className = "confirm-dialog";
      dialog.innerHTML =
        '<form method="dialog" data-no-disable><p class="confirm-what"></p>' +
        '<div class="confirm-actions"><button value="cancel" class="secondary"></button>' +
        '<button value="ok" class="danger"></button></div></form>';
      document.body.appendChild(dialog);
    }
    dialog.querySelector(".confirm-what").textContent =
      step.querySelector(".confirm-what").textContent;
    dialog.querySelector("button[value=cancel]").textContent = step.dataset.cancel;
    dialog.querySelector("button[value=ok]").textContent = step.dataset.ok;
    dialog.returnValue = "";
    dialog.onclose = function () {
      if (dialog.returnValue === "ok") onOk();
    };
    dialog.showModal();
    dialog.querySelector("button[value=cancel]").focus();
  }
  document.querySelectorAll("[data-confirm-step]").forEach(function (step) {
    if (typeof HTMLDialogElement === "undefined") return; // old browser: keep the tick box
    step.hidden = true;
    step.querySelector("input[name=confirmed]").required = false;
    step.closest("form").dataset.confirmAsk = "1";
  });
  document.addEventListener(
    "submit",
    function (event) {
      const form = event.target;
      if (form.dataset.confirmAsk !== "1") return;
      const box = form.querySelector("[data-confirm-step] input[name=confirmed]");
      if (box.checked) return;
      event.preventDefault();
      const submitter = event.submitter;
      ask(form.querySelector("[data-confirm-step]"), function () {
        box.checked = true;
        form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
      });
    },
    true
  );
})();

// Copy buttons (data-copy-target="<input id>"): hidden without JavaScript, where they cannot work.
document.querySelectorAll("[data-copy-target]").forEach(function (button) {
  const input = document.getElementById(button.dataset.copyTarget);
  if (!input) return;
  button.hidden = false;
  const label = button.textContent;
  button.addEventListener("click", function () {
    const done = function () {
      button.textContent = button.dataset.copied;
      window.setTimeout(function () { button.textContent = label; }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () {
        input.select();
      });
    } else {
      input.select(); // no clipboard API (plain http): leave it selected for a long press
      try { if (document.execCommand("copy")) done(); } catch (e) { /* selected is enough */ }
    }
  });
});
