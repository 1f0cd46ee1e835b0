/* F0 forms: fields that depend on a choice, and the exclusive "no symptoms" box.
   Without JavaScript every field stays visible and the server checks the same rules. */
(function () {
  "use strict";

  // <div data-show-when="test_kind=pcr"> is shown only while that choice is made.
  function follow(form) {
    var blocks = form.querySelectorAll("[data-show-when]");
    if (!blocks.length) return;
    function update() {
      blocks.forEach(function (block) {
        var rule = block.getAttribute("data-show-when").split("=");
        var field = form.elements[rule[0]];
        var value = field ? field.value : "";
        block.hidden = value !== rule[1];
      });
    }
    form.addEventListener("change", update);
    update();
  }

  // A checkbox marked data-exclusive clears the others of its group, and they clear it.
  function exclusive(form) {
    form.querySelectorAll("input[type=checkbox][data-exclusive]").forEach(function (only) {
      var group = form.querySelectorAll('input[type=checkbox][name="' + only.name + '"]');
      group.forEach(function (box) {
        box.addEventListener("change", function () {
          if (!box.checked) return;
          group.forEach(function (other) {
            if (other !== box && (box === only || other === only)) other.checked = false;
          });
        });
      });
    });
  }

  document.querySelectorAll("form[data-f0-form]").forEach(function (form) {
    follow(form);
    exclusive(form);
  });
})();
