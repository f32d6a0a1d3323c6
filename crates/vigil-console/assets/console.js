// vigil console: keyboard shortcuts for reviewers. Pages work without this file; it only
// adds keys (press ? for the list). No inline script: the pages' CSP allows only this one.
(function () {
  "use strict";
  var rows = function () { return Array.prototype.slice.call(document.querySelectorAll("#inbox tbody tr")); };
  var selected = -1;
  function select(index) {
    var all = rows();
    if (all.length === 0) { return; }
    selected = Math.max(0, Math.min(all.length - 1, index));
    all.forEach(function (row, i) { row.classList.toggle("selected", i === selected); });
    var link = all[selected].querySelector("a");
    if (link) { link.focus(); }
  }
  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var form;
    switch (event.key) {
      case "j": select(selected + 1); break;
      case "k": select(selected - 1); break;
      case "n": form = document.getElementById("next-form"); if (form) { form.submit(); } break;
      case "a": form = document.getElementById("assign-form"); if (form) { form.submit(); } break;
      case "c":
        var box = document.getElementById("message");
        if (box) { box.focus(); } else { return; }
        break;
      case "?":
        var help = document.getElementById("shortcuts");
        if (help && help.showModal) { help.showModal(); }
        break;
      default: return;
    }
    event.preventDefault();
  });
  // A whole inbox row opens its case.
  document.addEventListener("click", function (event) {
    var row = event.target.closest && event.target.closest("tr[data-href]");
    if (row && !event.target.closest("a")) { window.location = row.getAttribute("data-href"); }
  });
})();
