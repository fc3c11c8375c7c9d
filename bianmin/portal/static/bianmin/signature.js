// Signature pad: draw with finger, pen or mouse on <canvas data-signature-for="FIELD_ID">;
// the drawing is written into the hidden field as a PNG data URL when the form is submitted.
(function () {
  "use strict";
  function setup(canvas) {
    var field = document.getElementById(canvas.dataset.signatureFor);
    if (!field) return;
    var ctx = canvas.getContext("2d");
    var drawing = false, drawn = false, last = null;
    function reset() {
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.strokeStyle = "#000"; ctx.lineWidth = 2.5; ctx.lineCap = "round"; ctx.lineJoin = "round";
      drawn = false; field.value = "";
    }
    function pos(e) {
      var r = canvas.getBoundingClientRect();
      return { x: (e.clientX - r.left) * canvas.width / r.width, y: (e.clientY - r.top) * canvas.height / r.height };
    }
    canvas.addEventListener("pointerdown", function (e) {
      drawing = true; last = pos(e); canvas.setPointerCapture(e.pointerId); e.preventDefault();
      ctx.beginPath(); ctx.arc(last.x, last.y, 1, 0, 2 * Math.PI); ctx.fillStyle = "#000"; ctx.fill();
      drawn = true;
    });
    canvas.addEventListener("pointermove", function (e) {
      if (!drawing) return;
      var p = pos(e);
      ctx.beginPath(); ctx.moveTo(last.x, last.y); ctx.lineTo(p.x, p.y); ctx.stroke();
      last = p; drawn = true; e.preventDefault();
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (t) {
      canvas.addEventListener(t, function () { drawing = false; });
    });
    var clear = document.querySelector("[data-signature-clear='" + canvas.dataset.signatureFor + "']");
    if (clear) clear.addEventListener("click", function (e) { e.preventDefault(); reset(); });
    var form = canvas.closest("form");
    if (form) form.addEventListener("submit", function () {
      if (drawn) field.value = canvas.toDataURL("image/png");
    });
    reset();
  }
  function init() { document.querySelectorAll("canvas[data-signature-for]").forEach(setup); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
