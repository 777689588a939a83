// The weekly report page: follow a build (queued → building → done / failed) without reloading,
// and ask for a rebuild without leaving the page. Hooked by data attributes (no inline script: CSP).
(() => {
  "use strict";
  const box = document.querySelector("[data-weekly-status]");
  if (!box) return;
  const POLL_MS = 1500;
  const text = box.querySelector("[data-weekly-status-text]");
  const bar = box.querySelector("[data-weekly-progress]");
  const built = box.querySelector("[data-weekly-built]");
  const error = box.querySelector("[data-weekly-error]");
  const message = box.querySelector("[data-weekly-message]");
  const form = box.querySelector("[data-weekly-rebuild]");
  const button = form ? form.querySelector("[type=submit]") : null;
  let timer = null;
  let wasActive = box.dataset.active === "1";

  function show(doc) {
    box.dataset.status = doc.status;
    text.textContent = doc.label;
    bar.classList.toggle("d-none", doc.status !== "building");
    if (doc.progress && doc.progress.total) {
      bar.value = Math.round((100 * doc.progress.done) / doc.progress.total);
    }
    error.textContent = doc.error || "";
    error.classList.toggle("d-none", !doc.error);
    if (button) button.disabled = doc.active;
  }

  async function refreshBody() {
    // The new figures: the same page fetched again, its report part swapped in.
    const response = await fetch(window.location.href, { headers: { Accept: "text/html" }, credentials: "same-origin" });
    if (!response.ok) return;
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = page.querySelector("[data-weekly-body]");
    const freshBuilt = page.querySelector("[data-weekly-built]");
    if (fresh) document.querySelector("[data-weekly-body]").replaceChildren(...fresh.childNodes);
    if (freshBuilt && built) built.textContent = freshBuilt.textContent;
    // Export and print links appear once there are figures.
    const freshBox = page.querySelector("[data-weekly-status]");
    if (freshBox) {
      box.querySelectorAll("[data-testid=weekly-export], [data-testid=weekly-print]").forEach((a) => a.remove());
      freshBox.querySelectorAll("[data-testid=weekly-export], [data-testid=weekly-print]").forEach((a) => {
        box.querySelector(".card-body").appendChild(document.importNode(a, true));
      });
    }
  }

  async function poll() {
    timer = null;
    let doc;
    try {
      const response = await fetch(box.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      doc = await response.json();
    } catch (e) {
      timer = window.setTimeout(poll, POLL_MS * 2); // the network blinked: keep trying, more slowly
      return;
    }
    show(doc);
    if (doc.active) {
      wasActive = true;
      timer = window.setTimeout(poll, POLL_MS);
    } else if (wasActive) {
      wasActive = false;
      if (doc.status === "done") {
        await refreshBody();
        message.textContent = box.dataset.doneText || doc.label;
      }
    }
  }

  if (form) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      button.disabled = true;
      message.textContent = "";
      let answer = null;
      try {
        const response = await fetch(form.action, {
          method: "POST", body: new FormData(form), credentials: "same-origin",
          headers: { Accept: "application/json", "X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value },
        });
        answer = await response.json();
      } catch (e) {
        answer = { ok: false, message: box.dataset.networkText || "" };
      }
      message.textContent = answer.message || "";
      message.classList.toggle("text-danger", !answer.ok);
      if (answer.status) show(answer.status);
      if (answer.ok || (answer.status && answer.status.active)) {
        wasActive = true;
        if (!timer) timer = window.setTimeout(poll, 300);
      } else {
        button.disabled = false;
      }
    });
  }

  if (wasActive) timer = window.setTimeout(poll, POLL_MS);
})();
