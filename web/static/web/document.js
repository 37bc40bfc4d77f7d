/* The progress of a document the worker is making: poll its status (JSON from the same page) and
   update the progress bar and the status line in place; once it is ready (or failed) load the page
   again to show the download. Without JavaScript the "Check again" link does the same. */
(function () {
  "use strict";
  var box = document.querySelector("[data-document-status]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-document-status");
  var bar = box.querySelector("progress");
  var line = document.getElementById("document-status");
  function poll() {
    fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) { return; }
        if (!state.pending) { window.location.reload(); return; }
        if (bar) { bar.value = state.progress; bar.textContent = state.progress + " %"; }
        if (line) { line.textContent = state.label + " — " + state.progress + " %"; }
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 2000);
})();
