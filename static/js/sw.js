/* The service worker (docs/offline.md). Served at /sw.js by config.views.service_worker so that
   its scope is the whole site; registered by static/js/offline.js.

   - Static files: from the cache at once, refreshed from the network in the background.
   - Pages: always from the network while there is one. A page of the allow-list below is kept,
     for at most a day, tagged with the user it was rendered for (body[data-user]); with no
     connection it is answered from that copy, marked "离线" (offline.js shows the banner). Never
     kept: any page off the list — the full ID number, screening results, lists and exports.
   - With no connection and no copy: the "需要网络连接" page (/offline/), never the browser's own.
   - A page rendered for another user empties the page cache first: on a shared phone the next
     user finds nothing of the previous one's. Logging out empties it too (offline.js).
   The outbox (IndexedDB) is the page's: a new worker (a new deployment) leaves it alone. */
"use strict";

var VERSION = "v1";
var PAGES = "tr-pages-" + VERSION, ASSETS = "tr-static-" + VERSION, META = "tr-meta";
var STATIC = new URL(self.location.href).searchParams.get("static") || "/static/";
var OFFLINE_URL = "/offline/";
var USER_KEY = "/__offline_user__";
var MAX_AGE_MS = 24 * 60 * 60 * 1000;
// The pages a clerk or bureau cadre needs in a village house: the due lists, the households and
// couples they opened, the two visit forms and the outbox.
var ALLOWED = [
  /^\/households\/due\/$/, /^\/households\/due\/township\/$/, /^\/households\/outreach\/$/,
  /^\/households\/\d+\/$/, /^\/households\/couples\/\d+\/$/, /^\/households\/couples\/\d+\/visits\/new\/$/,
  /^\/households\/\d+\/outreach\/new\/$/, /^\/households\/outbox\/$/,
];

function allowed(path) {
  return ALLOWED.some(function (pattern) { return pattern.test(path); });
}

self.addEventListener("install", function (event) {
  // The offline page, fetched without cookies (it holds nothing personal), and the styles it uses.
  event.waitUntil(caches.open(ASSETS).then(function (cache) {
    return fetch(OFFLINE_URL, {credentials: "omit"}).then(function (response) {
      return response.clone().text().then(function (html) {
        var styles = [];
        html.replace(/<link rel="stylesheet" href="([^"]+)"/g, function (_, href) { styles.push(href); });
        return Promise.all([cache.put(OFFLINE_URL, response), cache.addAll(styles)]);
      });
    });
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name !== PAGES && name !== ASSETS && name !== META;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate") {
    event.respondWith(navigate(event, request, url));
  } else if (request.method === "GET" && url.pathname.indexOf(STATIC) === 0) {
    event.respondWith(asset(event, request));
  }
});

function asset(event, request) {
  return caches.open(ASSETS).then(function (cache) {
    return cache.match(request).then(function (hit) {
      var refresh = fetch(request).then(function (response) {
        if (response.ok) { return cache.put(request, response.clone()).then(function () { return response; }); }
        return response;
      });
      if (hit) {
        event.waitUntil(refresh.catch(function () { return null; }));
        return hit;
      }
      return refresh;
    });
  });
}

function pageKey(url) { return url.origin + url.pathname + url.search; }

function storedUser() {
  return caches.open(META).then(function (cache) { return cache.match(USER_KEY); })
    .then(function (hit) { return hit ? hit.text() : ""; });
}

function setUser(user) {
  return storedUser().then(function (previous) {
    if (previous === user) { return null; }
    return caches.delete(PAGES).then(function () {
      return caches.open(META);
    }).then(function (cache) { return cache.put(USER_KEY, new Response(user)); });
  });
}

function keep(url, response, html, user) {
  var headers = new Headers(response.headers);
  headers.delete("Vary");
  headers.set("X-Offline-Saved", String(Date.now()));
  headers.set("X-Offline-User", user);
  return caches.open(PAGES).then(function (cache) {
    return cache.put(pageKey(url), new Response(html, {status: 200, headers: headers}));
  });
}

function remember(url, response) {
  // Which user the page was rendered for; pages of a logged-out visitor carry none.
  if ((response.headers.get("Content-Type") || "").indexOf("text/html") !== 0) { return Promise.resolve(); }
  return response.text().then(function (html) {
    var match = /<body[^>]*\sdata-user="(\d+)"/.exec(html);
    if (!match) { return null; }
    var user = match[1];
    return setUser(user).then(function () {
      return allowed(url.pathname) ? keep(url, response, html, user) : null;
    }).then(function () { return user; });
  });
}

// The outbox page must open offline even if it was never opened online: keep a copy once.
var OUTBOX_URL = new URL("/households/outbox/", self.location.origin);

function keepOutbox(user) {
  return caches.open(PAGES).then(function (cache) { return cache.match(pageKey(OUTBOX_URL)); }).then(function (hit) {
    if (hit) { return null; }
    return fetch(OUTBOX_URL.href, {credentials: "same-origin", redirect: "error"}).then(function (response) {
      if (!response.ok) { return null; }
      return response.text().then(function (html) {
        return html.indexOf('data-user="' + user + '"') === -1 ? null : keep(OUTBOX_URL, response, html, user);
      });
    });
  });
}

function fromCache(url) {
  return Promise.all([caches.open(PAGES), storedUser()]).then(function (both) {
    var cache = both[0], user = both[1];
    return cache.match(pageKey(url)).then(function (hit) {
      if (!hit) { return null; }
      var saved = Number(hit.headers.get("X-Offline-Saved"));
      if (!user || hit.headers.get("X-Offline-User") !== user || Date.now() - saved > MAX_AGE_MS) {
        return cache.delete(pageKey(url)).then(function () { return null; });
      }
      return hit.text().then(function (html) {
        // Keeps the page's own headers, the Content-Security-Policy included.
        return new Response(html.replace("<body ", '<body data-offline-at="' + saved + '" '), {headers: hit.headers});
      });
    });
  });
}

function offlinePage() {
  return caches.match(OFFLINE_URL, {cacheName: ASSETS}).then(function (hit) {
    return hit || new Response("需要网络连接", {status: 503, headers: {"Content-Type": "text/plain; charset=utf-8"}});
  });
}

function navigate(event, request, url) {
  return fetch(request).then(function (response) {
    if (request.method === "GET" && response.ok) {
      // Wait for the copy before answering: a page opened just before the signal goes is kept.
      return remember(url, response.clone()).then(function (user) {
        if (user) { event.waitUntil(keepOutbox(user).catch(function () { return null; })); }
      }).catch(function () { return null; }).then(function () { return response; });
    }
    return response;
  }, function () {
    var copy = request.method === "GET" ? fromCache(url) : Promise.resolve(null);
    return copy.then(function (hit) { return hit || offlinePage(); });
  });
}
