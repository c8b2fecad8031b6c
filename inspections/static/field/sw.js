// The offline visit: the visit pages and their files are kept for a reload without a
// network. Served as /sw.js with the scope / (it sees a logout from any page, and then
// forgets the kept pages; everything but the visit pages and their files passes by).
// Saves never pass through here: the page keeps them in IndexedDB until the server
// accepts them (field.js).
"use strict";

var VERSION = "1";
var PAGES = "field-pages-" + VERSION;
var FILES = "field-files-" + VERSION;
var OFFLINE = "/field/offline";
var VISIT_PAGE = /^\/visits\/\d+$/;
var KEPT_FILE = /^\/(static\/|evidence\/\d+(\/thumb)?$|manifest\.webmanifest$)/;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(PAGES).then(function (cache) { return cache.add(OFFLINE); })
      .catch(function () {})
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) {
        return k.indexOf("field-") === 0 && k !== PAGES && k !== FILES;
      }).map(function (k) { return caches.delete(k); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function keep(cacheName, key, response) {
  // Only a real answer: not a redirect to the login page, not an error.
  if (!response || !response.ok || response.redirected) return Promise.resolve();
  var copy = response.clone();
  return caches.open(cacheName).then(function (cache) { return cache.put(key, copy); });
}

function page(request) {
  var key = new URL(request.url).pathname;
  return fetch(request).then(function (response) {
    keep(PAGES, key, response);
    return response;
  }).catch(function () {
    return caches.open(PAGES).then(function (cache) {
      return cache.match(key).then(function (hit) { return hit || cache.match(OFFLINE); });
    });
  });
}

function file(request) {
  // The kept copy at once, refreshed behind it; the network when nothing is kept.
  return caches.open(FILES).then(function (cache) {
    return cache.match(request).then(function (hit) {
      var fresh = fetch(request).then(function (response) {
        keep(FILES, request, response);
        return response;
      });
      if (hit) {
        fresh.catch(function () {});
        return hit;
      }
      return fresh;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && url.pathname === "/logout") {
    // A private page is not left on a shared phone after logging out (drafts stay, by member).
    event.waitUntil(caches.delete(PAGES));
    return;
  }
  if (request.method !== "GET") return;
  if (request.mode === "navigate" && VISIT_PAGE.test(url.pathname)) {
    event.respondWith(page(request));
  } else if (KEPT_FILE.test(url.pathname)) {
    event.respondWith(file(request));
  }
});

// The page asks for itself and its files to be kept (it was loaded before this worker
// controlled it), and again after each accepted save.
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "cache" || !Array.isArray(data.urls)) return;
  event.waitUntil(Promise.all(data.urls.map(function (raw) {
    var url = new URL(raw, self.location.origin);
    if (url.origin !== self.location.origin) return null;
    if (VISIT_PAGE.test(url.pathname)) {
      // Marked, so that this copy does not take the flashed message of the page being shown.
      return fetch(url.pathname, { credentials: "same-origin", headers: { "X-Cache-Fill": "1" } })
        .then(function (r) { return keep(PAGES, url.pathname, r); }).catch(function () {});
    }
    if (KEPT_FILE.test(url.pathname)) {
      return fetch(url.href, { credentials: "same-origin" })
        .then(function (r) { return keep(FILES, url.href, r); }).catch(function () {});
    }
    return null;
  })));
});
