// Tells the page that embeds the flow (Persona's SDK) what happened: the page's
// `data-flow` lists the messages, where they may go and what to answer when the SDK asks
// the flow to close. Nothing else runs here; the flow works without this script, it
// only goes unheard.
(function () {
  "use strict";
  var raw = document.body.getAttribute("data-flow");
  if (!raw) return;
  var flow = JSON.parse(raw);
  var host = window.parent !== window ? window.parent : null;
  function post(message) {
    if (!host || !flow.target) return;
    var data = { containerId: flow.containerId, name: message.name, metadata: message.metadata };
    if (flow.templateId) data.templateId = flow.templateId;
    if (message.name === "error") data.error = message.metadata;
    host.postMessage(data, flow.target);
  }
  (flow.messages || []).forEach(post);
  // The SDK's `cancel()` asks the flow to close: leave as the close button does.
  window.addEventListener("message", function (event) {
    if (event.source !== host || event.origin !== flow.target) return;
    var action = event.data && event.data.action;
    if (action !== "exit") return;
    var leave = document.getElementById("leave");
    if (leave) {
      leave.submit();
    } else if (flow.exit) {
      post(flow.exit);
    }
  });
  // The forms that open a session carry a fingerprint of this browser: a SHA-256 of what
  // it says about itself (never the values), for the device the session records.
  var opening = document.querySelectorAll("form[data-fingerprint]");
  if (opening.length && window.crypto && crypto.subtle && window.TextEncoder) {
    var parts = [
      navigator.userAgent, navigator.language, (navigator.languages || []).join(","),
      (Intl.DateTimeFormat().resolvedOptions() || {}).timeZone,
      screen.width + "x" + screen.height + "x" + screen.colorDepth,
      window.devicePixelRatio, navigator.hardwareConcurrency, navigator.maxTouchPoints,
      navigator.platform,
    ].join("|");
    crypto.subtle.digest("SHA-256", new TextEncoder().encode(parts)).then(function (digest) {
      var hex = Array.prototype.map.call(new Uint8Array(digest), function (b) {
        return ("0" + b.toString(16)).slice(-2);
      }).join("");
      Array.prototype.forEach.call(opening, function (form) {
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = "_fp";
        input.value = hex;
        form.appendChild(input);
      });
    });
  }
  // A form is sent once: a second click must not submit a step twice.
  Array.prototype.forEach.call(document.querySelectorAll("form"), function (form) {
    form.addEventListener("submit", function () {
      var buttons = form.querySelectorAll("button[type=submit]");
      Array.prototype.forEach.call(buttons, function (b) {
        setTimeout(function () { b.disabled = true; }, 0);
      });
    });
  });
})();
