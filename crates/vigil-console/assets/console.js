// vigil console: keyboard shortcuts for reviewers. Pages work without this file; it only
// adds keys (press ? for the list). No inline script: the pages' CSP allows only this one.
(function () {
  "use strict";
  var rows = function () { return Array.prototype.slice.call(document.querySelectorAll("#inbox tbody tr")); };
  var selected = -1;
  function mark(index) {
    var all = rows();
    if (all.length === 0) { return null; }
    selected = Math.max(0, Math.min(all.length - 1, index));
    all.forEach(function (row, i) { row.classList.toggle("selected", i === selected); });
    return all[selected];
  }
  function select(index) {
    var row = mark(index);
    var link = row && row.querySelector("a");
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
  // The inbox keeps itself current: every few seconds, while the tab is visible, the
  // list is fetched again and swapped in (the selected row stays selected).
  var live = document.getElementById("inbox-live");
  if (live && window.fetch) {
    var seconds = parseInt(live.getAttribute("data-refresh-seconds"), 10) || 10;
    window.setInterval(function () {
      if (document.visibilityState !== "visible") { return; }
      fetch(window.location.href, { headers: { "Vigil-Partial": "inbox" }, credentials: "same-origin" })
        .then(function (answer) { return answer.ok ? answer.text() : null; })
        .then(function (html) {
          if (html === null) { return; }
          var keep = selected;
          // Boxes ticked for a batch action stay ticked.
          var ticked = Array.prototype.map.call(live.querySelectorAll("input[type=checkbox]:checked"), function (box) { return box.value; });
          live.innerHTML = html;
          ticked.forEach(function (id) {
            var box = live.querySelector("input[type=checkbox][value='" + id.replace(/[^A-Za-z0-9_]/g, "") + "']");
            if (box) { box.checked = true; }
          });
          if (keep >= 0) { mark(keep); }
        })
        .catch(function () { /* offline for a moment: try again next time */ });
    }, seconds * 1000);
  }
  // A case page says when someone else changed the case (or its accounts, reports,
  // inquiries) while it is open, without reloading over a comment being written.
  var caseLive = document.getElementById("case-live");
  if (caseLive && window.fetch) {
    var every = parseInt(caseLive.getAttribute("data-refresh-seconds"), 10) || 10;
    var timer = window.setInterval(function () {
      if (document.visibilityState !== "visible") { return; }
      fetch(caseLive.getAttribute("data-check"), { credentials: "same-origin" })
        .then(function (answer) { return answer.ok ? answer.text() : null; })
        .then(function (newest) {
          if (newest !== null && newest !== caseLive.getAttribute("data-version")) {
            caseLive.querySelector(".changed").hidden = false;
            window.clearInterval(timer);
          }
        })
        .catch(function () { /* offline for a moment: try again next time */ });
    }, every * 1000);
  }
  // An import in progress: the page reloads itself until the import is done.
  var importing = document.getElementById("import-live");
  if (importing && importing.getAttribute("data-reload-seconds")) {
    window.setTimeout(function () { window.location.reload(); },
      (parseInt(importing.getAttribute("data-reload-seconds"), 10) || 2) * 1000);
  }
  // The document viewer: zoom and rotate an image in place (a transform, no reload).
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-viewer]");
    if (!button) { return; }
    var image = button.closest("figure").querySelector("img.zoomable");
    if (!image) { return; }
    var scale = parseFloat(image.getAttribute("data-scale") || "1");
    var turn = parseInt(image.getAttribute("data-turn") || "0", 10);
    var action = button.getAttribute("data-viewer");
    if (action === "in") { scale = Math.min(scale * 1.25, 8); }
    if (action === "out") { scale = Math.max(scale / 1.25, 0.25); }
    if (action === "rotate") { turn = (turn + 90) % 360; }
    image.setAttribute("data-scale", String(scale));
    image.setAttribute("data-turn", String(turn));
    image.style.transform = "scale(" + scale + ") rotate(" + turn + "deg)";
  });
  // A whole inbox row opens its case.
  document.addEventListener("click", function (event) {
    var row = event.target.closest && event.target.closest("tr[data-href]");
    if (row && !event.target.closest("a, input, label")) { window.location = row.getAttribute("data-href"); }
  });
})();
