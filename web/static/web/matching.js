/* The live matching check beside the application form: posts the form as typed to the server,
   which answers with the figures and unmet rules from the same code that checks a submission. */
(function () {
  "use strict";
  var form = document.getElementById("application-form");
  var result = document.querySelector("[data-matching-result]");
  if (!form || !result || !window.fetch) { return; }
  var url = form.getAttribute("data-matching-url");
  var timer = null;
  var latest = 0;

  function render(data) {
    result.querySelectorAll("[data-value]").forEach(function (cell) {
      var value = data[cell.getAttribute("data-value")];
      cell.textContent = value === undefined || value === null ? "\u2014" : value;
    });
    var known = data.inkind_ok === true || data.inkind_ok === false;
    result.querySelector("[data-verdict=ok]").hidden = !(known && data.inkind_ok);
    result.querySelector("[data-verdict=bad]").hidden = !(known && !data.inkind_ok);
    var list = result.querySelector("[data-problems]");
    list.replaceChildren();
    (data.problems || []).forEach(function (text) {
      var item = document.createElement("li");
      item.textContent = text;
      list.appendChild(item);
    });
    result.querySelector("[data-all-ok]").hidden = !data.ok;
  }

  function check() {
    var mine = ++latest;
    result.closest(".matching").setAttribute("aria-busy", "true");
    fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin",
                 headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data && mine === latest) { render(data); } })
      .catch(function () { /* the server checks again on save */ })
      .finally(function () { if (mine === latest) { result.closest(".matching").removeAttribute("aria-busy"); } });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, 250);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);

  // "Add another partner": a copy of the formset's empty form with the next index.
  var add = form.querySelector("[data-add-partner]");
  var template = document.getElementById("partner-template");
  var total = form.querySelector("input[name='partners-TOTAL_FORMS']");
  var rows = form.querySelector("[data-partner-rows]");
  if (add && template && total && rows) {
    add.hidden = false;
    add.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var holder = document.createElement("div");
      holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
      var row = holder.firstElementChild;
      rows.appendChild(row);
      total.value = String(index + 1);
      var first = row.querySelector("select, input:not([type=hidden]), textarea");
      if (first) { first.focus(); }
    });
  }
  check();
})();
