/* Screening pages' behaviour, hooked by data attributes (no inline script: CSP).
   - [data-print]: a button that prints the page.
   - [data-autoprint]: print once the page has loaded (after the audited "print" POST).
   - input[data-ref-low|data-ref-high]: mark a typed number outside its reference range at once;
     the server judges again on save. */
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
})();
