// Export progress page: polls the job's JSON once a second and updates the bar, the row count and
// the download link, without reloading the page. Hooked by data-* attributes (CSP: no inline JS).
(function () {
  "use strict";
  var box = document.querySelector("[data-poll-url]");
  if (!box) { return; }
  var bar = box.querySelector("[data-export-bar]");
  var fill = box.querySelector("[data-export-fill]");
  var rows = box.querySelector("[data-export-rows]");
  var statusText = box.querySelector("[data-export-status]");
  var message = box.querySelector("[data-export-message]");
  var link = box.querySelector("[data-export-download]");
  var rowsTemplate = rows.textContent.trim();
  var numbers = rowsTemplate.match(/\d+/g) || [];

  function setPercent(percent) {
    fill.style.width = percent + "%";  // CSSOM, not a style attribute: allowed by the CSP
    fill.textContent = percent + "%";
    bar.setAttribute("aria-valuenow", String(percent));
  }

  function render(state) {
    box.setAttribute("data-status", state.status);
    statusText.textContent = state.status_label;
    setPercent(state.percent);
    if (numbers.length === 2) {
      rows.textContent = rowsTemplate.replace(numbers[0], state.progress).replace(numbers[1], state.total);
      numbers = [String(state.progress), String(state.total)];
      rowsTemplate = rows.textContent;
    }
    message.textContent = state.message || "";
    message.classList.toggle("d-none", !state.message);
    if (state.download_url) {
      link.href = state.download_url;
      link.classList.remove("d-none");
    }
  }

  function poll() {
    fetch(box.getAttribute("data-poll-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) { return; }
        render(state);
        if (state.status === "queued" || state.status === "running") { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }

  setPercent(parseInt(fill.getAttribute("data-percent"), 10) || 0);
  var status = box.getAttribute("data-status");
  if (status === "queued" || status === "running") { window.setTimeout(poll, 1000); }
}());
