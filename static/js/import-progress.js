// A large import being written by a worker: poll the batch's status once a second and reload the
// page when it is no longer "confirming" (the page then shows the result). CSP: no inline JS.
(function () {
  "use strict";
  var box = document.querySelector("[data-testid=import-confirming][data-poll-url]");
  if (!box) { return; }
  function poll() {
    fetch(box.getAttribute("data-poll-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (state && state.status !== "confirming") { window.location.reload(); return; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
}());
