// Review screen: clicking a task shows its source span in the document, and back.
(function () {
  function activate(id) {
    document.querySelectorAll(".doc-text mark.active, .task-card.active").forEach(function (el) {
      el.classList.remove("active");
    });
    var card = document.getElementById("task-" + id);
    if (card) card.classList.add("active");
    var marks = document.querySelectorAll('.doc-text mark[data-tasks~="' + id + '"]');
    marks.forEach(function (m) { m.classList.add("active"); });
    return marks;
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-show-span]");
    if (link) {
      event.preventDefault();
      var marks = activate(link.dataset.showSpan);
      if (marks.length) marks[0].scrollIntoView({ behavior: "smooth", block: "center" });
      return;
    }
    var mark = event.target.closest(".doc-text mark[data-tasks]");
    if (mark) {
      var id = mark.dataset.tasks.split(" ")[0];
      activate(id);
      var card = document.getElementById("task-" + id);
      if (card) card.scrollIntoView({ behavior: "smooth", block: "center" });
    }
  });
})();
