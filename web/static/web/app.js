/* Progressive enhancement: confirmation links open their <dialog> in place. Without JavaScript the
   same links lead to a confirmation page (or open the dialog server-side), so nothing depends on it. */
(function () {
  "use strict";
  document.querySelectorAll("[data-opens-dialog]").forEach(function (trigger) {
    var dialog = document.getElementById(trigger.getAttribute("data-opens-dialog"));
    if (!dialog || typeof dialog.showModal !== "function") { return; }
    trigger.setAttribute("aria-haspopup", "dialog");
    trigger.addEventListener("click", function (event) {
      event.preventDefault();
      if (dialog.open) { dialog.close(); }
      dialog.showModal();
      var first = dialog.querySelector("input:not([type=hidden]), textarea, select, button");
      if (first) { first.focus(); }
    });
  });
  document.querySelectorAll("[data-closes-dialog]").forEach(function (control) {
    control.addEventListener("click", function (event) {
      var dialog = control.closest("dialog");
      if (dialog) { event.preventDefault(); dialog.close(); }
    });
  });
  // A dialog the server opened (after an error, or without JavaScript) becomes modal too.
  document.querySelectorAll("dialog[open]").forEach(function (dialog) {
    if (typeof dialog.showModal === "function") { dialog.close(); dialog.showModal(); }
  });
})();
