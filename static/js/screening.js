/* Screening pages' behaviour, hooked by data attributes (no inline script: CSP).
   - [data-print]: a button that prints the page.
   - [data-autoprint]: print once the page has loaded (after the audited "print" POST).
   - input[data-ref-low|data-ref-high]: mark a typed number outside its reference range at once;
     the server judges again on save.
   - [data-sticky-actions]: a focused field is scrolled above the sticky save bar, never under it.
   - a[data-focus-link]: the error list's links move the focus to the field, not only the view. */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  if (document.querySelector("[data-autoprint]")) {
    window.addEventListener("load", function () { window.setTimeout(function () { window.print(); }, 200); });
  }
  function judge(input) {
    var value = parseFloat((input.value || "").replace(",", "."));
    var low = parseFloat(input.dataset.refLow), high = parseFloat(input.dataset.refHigh);
    var out = !isNaN(value) && ((!isNaN(low) && value < low) || (!isNaN(high) && value > high));
    input.classList.toggle("is-abnormal", out);
    var flag = document.getElementById(input.id + "-flag");
    if (flag) { flag.hidden = !out; }
  }
  document.querySelectorAll("input[data-ref-low], input[data-ref-high]").forEach(function (input) {
    input.addEventListener("input", function () { judge(input); });
    judge(input);
  });
  var bar = document.querySelector("[data-sticky-actions]");
  function clearOfBar(field) {
    if (!bar || bar.contains(field)) { return; }
    var top = bar.getBoundingClientRect().top, rect = field.getBoundingClientRect();
    var label = field.closest(".result-line") || field;
    if (rect.bottom > top - 8) {
      window.scrollBy(0, rect.bottom - top + 16);
    } else if (label.getBoundingClientRect().top < 0 && rect.top >= 0) {
      window.scrollBy(0, label.getBoundingClientRect().top - 8);
    }
  }
  if (bar) {
    bar.closest("form").addEventListener("focusin", function (event) { clearOfBar(event.target); });
  }
  document.querySelectorAll("a[data-focus-link]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (!field) { return; }
      event.preventDefault();
      var panel = field.closest(".collapse");
      if (panel && !panel.classList.contains("show") && window.bootstrap) {
        window.bootstrap.Collapse.getOrCreateInstance(panel, {toggle: false}).show();
      }
      field.scrollIntoView({block: "center"});
      field.focus({preventScroll: true});
    });
  });
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
