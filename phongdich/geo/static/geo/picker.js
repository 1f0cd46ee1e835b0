// Place picker: enhances every <select data-place-picker> (rendered by geo.fields).
// Without this file the select is still usable: its options are grouped by district and
// each reads "commune, district". With it, the user gets:
//   - a search box: type part of a name, with or without diacritics ("xuan loc"); arrows
//     move through the matches, Enter picks one, Escape closes the list;
//   - a district select that narrows the commune select to that district.
// The original select stays the form's control, so the form posts exactly what it did.
(function () {
  "use strict";

  function fold(text) {
    return text
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/đ/g, "d")
      .replace(/Đ/g, "D")
      .toLowerCase();
  }

  var counter = 0;

  function enhance(select) {
    if (select.dataset.placeReady) return;
    var groups = Array.prototype.slice.call(select.querySelectorAll("optgroup"));
    var options = [];
    groups.forEach(function (group, gi) {
      Array.prototype.forEach.call(group.querySelectorAll("option"), function (opt) {
        var label = opt.textContent;
        // The unit's own name, without its district: what a caller usually says first.
        var own = label.indexOf(", " + group.label) > 0 ? label.slice(0, label.indexOf(", " + group.label)) : label;
        options.push({ value: opt.value, label: label, group: gi, key: fold(label), own: fold(own) });
      });
    });
    // A short list (a commune worker's own commune, a district's dozen offices) reads
    // fine as the grouped select alone; search and district help past that.
    if (options.length <= 12) return;
    select.dataset.placeReady = "1";
    var empty = select.querySelector(":scope > option[value='']");
    var emptyLabel = empty ? empty.textContent : null;
    var id = select.id || "place-" + (++counter);

    var box = document.createElement("div");
    box.className = "place-picker";
    var search = document.createElement("input");
    search.type = "search";
    search.id = id + "-search";
    search.className = "place-search";
    search.autocomplete = "off";
    search.placeholder = select.dataset.searchLabel || "";
    search.setAttribute("aria-label", select.dataset.searchLabel || "");
    search.setAttribute("role", "combobox");
    search.setAttribute("aria-autocomplete", "list");
    search.setAttribute("aria-expanded", "false");
    var list = document.createElement("ul");
    list.id = id + "-matches";
    list.className = "place-matches";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    search.setAttribute("aria-controls", list.id);

    var district = null;
    if (groups.length > 1) {
      district = document.createElement("select");
      district.id = id + "-district";
      district.className = "place-district";
      district.setAttribute("aria-label", select.dataset.districtLabel || "");
      var all = document.createElement("option");
      all.value = "";
      all.textContent = select.dataset.allLabel || "";
      district.appendChild(all);
      groups.forEach(function (group, gi) {
        var opt = document.createElement("option");
        opt.value = String(gi);
        opt.textContent = group.label;
        district.appendChild(opt);
      });
    }

    // Rebuild the real select with one district's communes (or all of them, grouped).
    function fill(gi) {
      var current = select.value;
      select.textContent = "";
      if (emptyLabel !== null) {
        var e = document.createElement("option");
        e.value = "";
        e.textContent = emptyLabel;
        select.appendChild(e);
      }
      groups.forEach(function (group, index) {
        if (gi !== null && gi !== index) return;
        var g = document.createElement("optgroup");
        g.label = group.label;
        options.forEach(function (o) {
          if (o.group !== index) return;
          var opt = document.createElement("option");
          opt.value = o.value;
          opt.textContent = o.label;
          g.appendChild(opt);
        });
        select.appendChild(g);
      });
      select.value = current;
      if (select.value !== current) select.value = "";
    }

    function groupOf(value) {
      for (var i = 0; i < options.length; i++) if (options[i].value === value) return options[i].group;
      return null;
    }

    var matches = [];
    var active = -1;

    function close() {
      list.hidden = true;
      search.setAttribute("aria-expanded", "false");
      search.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function show() {
      var words = fold(search.value).trim().split(/\s+/).filter(Boolean);
      list.textContent = "";
      active = -1;
      if (!words.length) return close();
      var phrase = words.join(" ");
      // Best first: the name itself holds the words as typed, then the name holds every
      // word, then the words are spread over name and district ("bac son sam son").
      function rank(o) {
        if (o.own.indexOf(phrase) !== -1) return 0;
        if (words.every(function (w) { return o.own.indexOf(w) !== -1; })) return 1;
        return 2;
      }
      matches = options
        .filter(function (o) { return words.every(function (w) { return o.key.indexOf(w) !== -1; }); })
        .map(function (o, i) { return { o: o, r: rank(o), i: i }; })
        .sort(function (a, b) { return a.r - b.r || a.i - b.i; })
        .slice(0, 30)
        .map(function (m) { return m.o; });
      if (!matches.length) {
        var none = document.createElement("li");
        none.className = "muted";
        none.textContent = select.dataset.noneLabel || "";
        list.appendChild(none);
      }
      matches.forEach(function (o, i) {
        var li = document.createElement("li");
        li.id = id + "-match-" + i;
        li.setAttribute("role", "option");
        li.textContent = o.label;
        li.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep focus in the box until the choice is made
          choose(i);
        });
        list.appendChild(li);
      });
      list.hidden = false;
      search.setAttribute("aria-expanded", "true");
      if (matches.length) move(0);
    }

    function move(i) {
      var items = list.querySelectorAll("[role=option]");
      if (!items.length) return;
      active = (i + items.length) % items.length;
      Array.prototype.forEach.call(items, function (li, k) {
        li.setAttribute("aria-selected", k === active ? "true" : "false");
      });
      search.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({ block: "nearest" });
    }

    function choose(i) {
      var o = matches[i];
      if (!o) return;
      if (district) {
        district.value = String(o.group);
        fill(o.group);
      }
      select.value = o.value;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      search.value = "";
      close();
    }

    search.addEventListener("input", show);
    search.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { event.preventDefault(); if (list.hidden) show(); else move(active + 1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); move(active - 1); }
      else if (event.key === "Enter") {
        // Enter picks the highlighted place instead of sending the form half filled.
        if (!list.hidden && active >= 0) { event.preventDefault(); choose(active); }
      } else if (event.key === "Escape") { close(); }
    });
    search.addEventListener("blur", close);
    if (district) {
      district.addEventListener("change", function () {
        fill(district.value === "" ? null : Number(district.value));
      });
    }

    select.parentNode.insertBefore(box, select);
    box.appendChild(search);
    box.appendChild(list);
    if (district) box.appendChild(district);
    box.appendChild(select);
    // A value already chosen (a form sent back with errors) keeps its district in view.
    var start = groupOf(select.value);
    if (district && start !== null) {
      district.value = String(start);
      fill(start);
    }
  }

  function init(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll("select[data-place-picker]"), enhance);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { init(); });
  else init();
  // Forms swapped in by htmx get their pickers too.
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
