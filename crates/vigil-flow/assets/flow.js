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
  // The selfie step: the browser's camera when there is one (the picture is taken here
  // and sent as the form's file); otherwise the file input, which phones open on their
  // front camera.
  var selfie = document.querySelector("form[data-selfie]");
  if (selfie && navigator.mediaDevices && navigator.mediaDevices.getUserMedia && window.DataTransfer) {
    var start = selfie.querySelector("[data-start-camera]");
    var box = selfie.querySelector("[data-camera]");
    var video = box.querySelector("video");
    var shoot = box.querySelector("[data-shoot]");
    var file = selfie.querySelector("input[type=file]");
    var method = selfie.querySelector("input[name=capture_method]");
    var problem = selfie.querySelector("[data-camera-error]");
    var stream = null;
    start.hidden = false;
    start.addEventListener("click", function () {
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "user" }, audio: false }).then(function (s) {
        stream = s;
        video.srcObject = s;
        box.hidden = false;
        start.hidden = true;
        problem.hidden = true;
        shoot.focus();
      }, function () {
        problem.hidden = false;
      });
    });
    shoot.addEventListener("click", function () {
      if (!stream || !video.videoWidth) return;
      var canvas = document.createElement("canvas");
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      canvas.getContext("2d").drawImage(video, 0, 0);
      canvas.toBlob(function (blob) {
        var picked = new DataTransfer();
        picked.items.add(new File([blob], "selfie.jpg", { type: "image/jpeg" }));
        file.files = picked.files;
        method.value = "photo";
        stream.getTracks().forEach(function (track) { track.stop(); });
        if (selfie.requestSubmit) selfie.requestSubmit(); else selfie.submit();
      }, "image/jpeg", 0.92);
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
