/* The installable web app, page side (docs/offline.md). Loaded by base.html on every page.

   - registers the service worker (static/js/sw.js, served at /sw.js);
   - on a page the worker answered from its cache, shows "离线 · 数据截至 HH:MM";
   - the offline outbox: the follow-up and outreach visit forms (form[data-offline]) save into
     IndexedDB when the phone has no connection; each entry belongs to the logged-in user
     (body[data-user]) and carries an idempotency key made when it was typed; the badge counts
     them, the outbox page lists them, and they are sent when the phone is back online or the next
     time a page opens online;
   - logging out with visits waiting warns first, then clears the outbox and the cached pages.
   No inline scripts anywhere (the CSP forbids them). */
(function () {
  "use strict";
  var body = document.body;
  var user = body.dataset.user || "";
  var DB_NAME = "tr-offline", STORE = "outbox";
  var PAGE_CACHE_PREFIX = "tr-pages", META_CACHE = "tr-meta";  // as in sw.js
  var strings = (document.getElementById("offline-strings") || {}).dataset || {};

  if ("serviceWorker" in navigator && body.dataset.sw) {
    var swUrl = body.dataset.sw + "?static=" + encodeURIComponent(body.dataset.static || "/static/");
    navigator.serviceWorker.register(swUrl, {scope: "/"}).catch(function () { /* not installable here: the site works as before */ });
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // --- "离线 · 数据截至 HH:MM": the worker marks the pages it answers from its cache ------------
  var banner = document.querySelector("[data-testid=offline-banner]");
  if (banner && body.dataset.offlineAt) {
    var saved = new Date(Number(body.dataset.offlineAt));
    banner.textContent = banner.dataset.label + " " + pad(saved.getHours()) + ":" + pad(saved.getMinutes());
    banner.hidden = false;
  }

  if (!user || !window.indexedDB) { return; }

  // --- The outbox in IndexedDB: one object store, entries keyed by their idempotency key --------
  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, {keyPath: "key"}).createIndex("user", "user");
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  function withStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var request = work(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(request ? request.result : undefined); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }
  // Only this user's entries: another user on the same phone neither sees nor sends them.
  function entries() {
    return withStore("readonly", function (store) { return store.index("user").getAll(user); })
      .then(function (list) { return list.sort(function (a, b) { return a.typedAt - b.typedAt; }); });
  }
  function entry(key) {
    return withStore("readonly", function (store) { return store.get(key); })
      .then(function (found) { return found && found.user === user ? found : null; });
  }
  function put(item) { return withStore("readwrite", function (store) { return store.put(item); }); }
  function remove(key) { return withStore("readwrite", function (store) { return store.delete(key); }); }

  // --- The badge -----------------------------------------------------------------------------
  var badge = document.querySelector("[data-testid=outbox-badge]");
  function refresh() {
    return entries().then(function (list) {
      if (badge) {
        badge.querySelector("[data-outbox-count]").textContent = String(list.length);
        badge.hidden = list.length === 0;
      }
      renderList(list);
      return list;
    });
  }

  // --- Sending -------------------------------------------------------------------------------
  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function sendOne(item) {
    var data = new URLSearchParams();
    item.fields.forEach(function (pair) { data.append(pair[0], pair[1]); });
    data.append("kind", item.kind);
    data.append("target", item.target);
    data.append("client_key", item.key);
    return fetch(body.dataset.outboxSend, {
      method: "POST", body: data, credentials: "same-origin",
      headers: {"X-CSRFToken": csrfToken(), "Accept": "application/json"},
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") !== 0) {
        // The login page (the session expired) or the CSRF refusal: sent after the next login.
        item.note = response.status >= 500 ? strings.notSent : strings.sessionExpired;
        return put(item);
      }
      return response.json().then(function (answer) {
        if (answer.status === "saved") { return remove(item.key); }
        item.status = "refused";
        item.reason = answer.reason || "";
        item.errors = answer.errors || {};
        item.note = "";
        return put(item);
      });
    }, function () {
      item.note = strings.notSent;  // no connection after all: still waiting
      return put(item);
    });
  }
  function sendAll() {
    if (!navigator.onLine || !body.dataset.outboxSend) { return Promise.resolve(); }
    var run = function () {
      return entries().then(function (list) {
        var waiting = list.filter(function (item) { return item.status === "waiting"; });
        // One at a time, in the order typed: the couple's latest visit is the one typed last.
        return waiting.reduce(function (chain, item) {
          return chain.then(function () { return sendOne(item); });
        }, Promise.resolve());
      }).then(refresh);
    };
    // Two tabs open: one sends, the other waits (the server's idempotency key covers the rest).
    return navigator.locks ? navigator.locks.request("tr-outbox-" + user, run) : run();
  }

  // --- The two visit forms --------------------------------------------------------------------
  var form = document.querySelector("form[data-offline]");
  var editingKey = location.hash.indexOf("#outbox=") === 0 ? decodeURIComponent(location.hash.slice(8)) : "";

  function fieldsOf(theForm) {
    var pairs = [];
    new FormData(theForm).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && name !== "next" && typeof value === "string") { pairs.push([name, value]); }
    });
    return pairs;
  }
  function fill(theForm, pairs) {
    Array.prototype.forEach.call(theForm.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.name === "next") { return; }
      var values = pairs.filter(function (p) { return p[0] === el.name; }).map(function (p) { return p[1]; });
      if (el.type === "checkbox" || el.type === "radio") { el.checked = values.indexOf(el.value) !== -1; }
      else if (el.type !== "submit" && el.type !== "button") { el.value = values.length ? values[0] : ""; }
    });
    var checked = theForm.querySelector("input[type=radio]:checked");
    if (checked) { checked.dispatchEvent(new Event("change", {bubbles: true})); }
  }
  function notice(text, kind) {
    var box = document.createElement("div");
    box.className = "alert alert-" + (kind || "info");
    box.setAttribute("role", "status");
    box.setAttribute("data-testid", "offline-notice");
    box.textContent = text;
    form.parentNode.insertBefore(box, form);
    return box;
  }

  if (form) {
    if (editingKey) {
      entry(editingKey).then(function (item) {
        if (!item) { editingKey = ""; return; }
        fill(form, item.fields);
        var box = notice(strings.editing, item.status === "refused" ? "warning" : "info");
        if (item.reason) {
          var why = document.createElement("div");
          why.className = "fw-semibold";
          why.setAttribute("data-testid", "offline-reason");
          why.textContent = item.reason;
          box.appendChild(why);
        }
        Object.keys(item.errors || {}).forEach(function (name) {
          var field = form.elements[name];
          var target = field && (field.length && !field.tagName ? field[0] : field);
          if (!target) { return; }
          var message = document.createElement("div");
          message.className = "invalid-feedback d-block";
          message.textContent = item.errors[name].join(" ");
          (target.closest(".mb-3") || target.parentNode).appendChild(message);
        });
      });
    }
    form.addEventListener("submit", function (event) {
      if (navigator.onLine && !editingKey) { return; }  // online: the ordinary post
      event.preventDefault();
      var item = {
        key: editingKey || crypto.randomUUID(), user: user, kind: form.dataset.offline,
        target: form.dataset.offlineTarget, label: form.dataset.offlineLabel, url: location.pathname,
        fields: fieldsOf(form), typedAt: Date.now(), status: "waiting", reason: "", errors: {}, note: "",
      };
      put(item).then(function () {
        if (navigator.onLine) {
          return sendAll().then(function () { location.href = body.dataset.outbox; });
        }
        form.hidden = true;
        var box = notice(strings.savedOffline, "success");
        var link = document.createElement("a");
        link.href = body.dataset.outbox;
        link.className = "d-block mt-1";
        link.textContent = badge ? badge.firstChild.textContent.trim() : "";
        box.appendChild(link);
        return refresh();
      });
    });
  }

  // --- The outbox page ------------------------------------------------------------------------
  var listEl = document.querySelector("[data-outbox-list]");
  function renderList(list) {
    if (!listEl) { return; }
    var d = listEl.dataset;
    listEl.textContent = "";
    document.querySelector("[data-outbox-empty]").hidden = list.length > 0;
    list.forEach(function (item) {
      var li = document.createElement("li");
      li.className = "list-group-item";
      li.setAttribute("data-testid", "outbox-item");
      var date = (item.fields.filter(function (p) { return p[0] === "visit_date"; })[0] || [])[1] || "";
      var head = document.createElement("div");
      head.className = "fw-semibold";
      head.textContent = (item.kind === "outreach" ? d.kindOutreach : d.kindVisit) + " · " + item.label + " · " + date;
      li.appendChild(head);
      var state = document.createElement("div");
      state.className = "small " + (item.status === "refused" ? "text-danger" : "text-body-secondary");
      state.setAttribute("data-testid", "outbox-status");
      var typed = new Date(item.typedAt);
      state.textContent = (item.status === "refused" ? d.refused + "：" + item.reason : d.waiting + (item.note ? "：" + item.note : ""))
        + " · " + d.typedAt + " " + typed.getFullYear() + "-" + pad(typed.getMonth() + 1) + "-" + pad(typed.getDate())
        + " " + pad(typed.getHours()) + ":" + pad(typed.getMinutes());
      li.appendChild(state);
      var actions = document.createElement("div");
      actions.className = "mt-2 d-flex gap-2";
      var open = document.createElement("a");
      open.className = "btn btn-sm btn-outline-primary";
      open.href = item.url + "#outbox=" + encodeURIComponent(item.key);
      open.textContent = d.open;
      open.setAttribute("data-testid", "outbox-open");
      var discard = document.createElement("button");
      discard.type = "button";
      discard.className = "btn btn-sm btn-outline-danger";
      discard.textContent = d.discard;
      discard.setAttribute("data-testid", "outbox-discard");
      discard.addEventListener("click", function () {
        if (window.confirm(d.confirmDiscard)) { remove(item.key).then(refresh); }
      });
      actions.appendChild(open);
      actions.appendChild(discard);
      li.appendChild(actions);
      listEl.appendChild(li);
    });
  }
  var sendButton = document.querySelector("[data-outbox-send-all]");
  if (sendButton) { sendButton.addEventListener("click", function () { sendAll(); }); }

  // --- Logging out: warn about waiting visits, then clear the outbox and the cached pages --------
  var logout = document.querySelector("form[data-logout]");
  if (logout) {
    logout.addEventListener("submit", function (event) {
      event.preventDefault();
      entries().then(function (list) {
        if (list.length && !window.confirm(logout.dataset.confirm.replace("{count}", String(list.length)))) {
          return false;
        }
        return Promise.all(list.map(function (item) { return remove(item.key); })).then(function () { return true; });
      }).catch(function () { return true; }).then(function (proceed) {
        if (!proceed) { return null; }
        var clearing = window.caches ? caches.keys().then(function (names) {
          return Promise.all(names.filter(function (name) {
            return name.indexOf(PAGE_CACHE_PREFIX) === 0 || name === META_CACHE;
          }).map(function (name) { return caches.delete(name); }));
        }) : Promise.resolve();
        return clearing.catch(function () { return null; }).then(function () { logout.submit(); });
      });
    });
  }

  window.addEventListener("online", function () { sendAll(); });
  refresh().then(function () { return sendAll(); });
})();
