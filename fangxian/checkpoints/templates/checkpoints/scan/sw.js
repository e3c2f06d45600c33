// The scanning page's service worker (fangxian/checkpoints/views/scan.py, scope {{ scope }}).
// A guard opens the page once with the network up; from then on it opens without a network too:
// the page itself is fetched from the network first and kept as the fallback, the static files it
// needs (styles, scripts, the QR decoder's WebAssembly) come from this cache. Nothing else is kept:
// not the API's answers, not the search results, no personal data. Scans are POSTs and never touch
// this worker: the page queues them itself while offline.
"use strict";
var CACHE = "fx-scan-{{ version }}";
var PAGE = {{ page_json|safe }};
var ASSETS = {{ assets_json|safe }};

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE)
      .then(function (cache) { return cache.addAll(ASSETS); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (keys) {
        return Promise.all(keys.filter(function (key) { return key.indexOf("fx-scan-") === 0 && key !== CACHE; })
          .map(function (key) { return caches.delete(key); }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

function pageFromNetwork(request) {
  return fetch(request).then(function (response) {
    return caches.open(CACHE).then(function (cache) {
      if (response.ok && !response.redirected) return cache.put(PAGE, response.clone());
      // Logged out: the page of the last guard must not open offline for whoever holds the phone now.
      if (response.redirected) return cache.delete(PAGE);
    }).then(function () { return response; });
  });
}

// The page, once loaded, asks to be kept (the worker did not exist yet when it was first fetched) and
// tells which static files it loaded, so that whatever the templates add is kept too.
self.addEventListener("message", function (event) {
  var urls = (event.data && event.data.cache) || [];
  urls = urls.filter(function (url) {
    try { var parsed = new URL(url, self.location.origin); } catch (e) { return false; }
    return parsed.origin === self.location.origin && parsed.pathname.indexOf({{ static_json|safe }}) === 0;
  }).slice(0, 50);
  var kept = Promise.all([
    caches.open(CACHE).then(function (cache) { return urls.length ? cache.addAll(urls) : null; }),
    pageFromNetwork(new Request(PAGE, { credentials: "same-origin" }))
  ]).then(function () {
    if (event.ports && event.ports[0]) event.ports[0].postMessage("kept");
  });
  event.waitUntil(kept);
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === PAGE) {
    event.respondWith(pageFromNetwork(request).catch(function () {
      return caches.match(PAGE, { ignoreVary: true, ignoreSearch: true }).then(function (cached) {
        return cached || Response.error();
      });
    }));
    return;
  }
  if (url.pathname.indexOf({{ static_json|safe }}) === 0) {
    event.respondWith(caches.match(request, { ignoreVary: true }).then(function (cached) {
      return cached || fetch(request);
    }));
  }
});
