/* The call form's preview of the matching rule in words, updated as the ratios are typed. */
(function () {
  "use strict";
  var form = document.getElementById("call-form");
  var out = document.querySelector("[data-rule-preview]");
  if (!form || !out || !window.fetch) { return; }
  var url = form.getAttribute("data-preview-url");
  var timer = null;
  function update() {
    var fund = form.querySelector("[name=fund_ratio]").value;
    var inkind = form.querySelector("[name=inkind_ratio]").value;
    var query = "?fund_ratio=" + encodeURIComponent(fund) + "&inkind_ratio=" + encodeURIComponent(inkind);
    fetch(url + query, {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { out.textContent = data.text || out.getAttribute("data-empty"); } })
      .catch(function () {});
  }
  ["fund_ratio", "inkind_ratio"].forEach(function (name) {
    form.querySelector("[name=" + name + "]").addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(update, 250);
    });
  });
})();
