/* The recorder's service worker, served by activities.recorder_views.worker at
   /activities/record/sw.js, which puts VERSION and PRECACHE (the recorder page
   first, then its static files) above this line. It keeps the page and its
   files so the recorder opens without a network: the page network-first (fresh
   when online), the static files cache-first. Everything else, uploads
   included, goes to the network untouched. */
/* global VERSION, PRECACHE */
"use strict";

var PREFIX = "kindsteps-recorder-";
var CACHE = PREFIX + VERSION;
var PAGE = PRECACHE[0];
var ASSETS = PRECACHE.slice(1);

function keepPage(cache, response) {
  // A redirect (to the login page) or an error is never kept as the recorder.
  if (response.ok && !response.redirected && response.type === "basic") {
    return cache.put(PAGE, response.clone()).then(function () { return response; });
  }
  return Promise.resolve(response);
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(ASSETS).then(function () {
      return fetch(PAGE, { credentials: "same-origin" }).then(function (response) {
        return keepPage(cache, response);
      }).catch(function () {});
    });
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf(PREFIX) === 0 && name !== CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === PAGE) {
    event.respondWith(caches.open(CACHE).then(function (cache) {
      return fetch(request).then(function (response) {
        return keepPage(cache, response);
      }).catch(function () {
        return cache.match(PAGE).then(function (cached) { return cached || Response.error(); });
      });
    }));
  } else if (ASSETS.indexOf(url.pathname) >= 0) {
    event.respondWith(caches.match(url.pathname).then(function (cached) {
      return cached || fetch(request);
    }));
  }
});
