// One click, one submit: forms marked data-once disable their buttons when sent (the server
// refuses a second confirm anyway; this spares the user the message). CSP: no inline scripts.
(function () {
  "use strict";
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    });
  });
}());
