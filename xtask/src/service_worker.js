// The playground's service worker, written into the dist folder by `cargo xtask dist`
// (xtask/src/service_worker.rs fills in BUILD and FILES). The page registers it once the engine
// is ready (src/web/offline.rs), so it never competes with a first visit's downloads.
//
// One cache per build, filled completely before the build takes over: every file is fetched
// with the SHA-256 the dist computed (a stale file from an HTTP cache or a half-deployed server
// fails and is fetched again, bypassing the cache), so a cache never mixes two builds. The page
// and its files are then served from this build's cache only; a newer build waits until the
// page asks for it (its "Reload" button) or every tab of this build is closed.
const BUILD = "__BUILD__";
const FILES = __FILES__; // [address the page uses, cache key, "sha256-…"]
const PREFIX = "piecewise-playground-";
const CACHE = PREFIX + BUILD;

async function fetchChecked(address, integrity) {
  for (const mode of ["default", "reload"]) {
    try {
      const response = await fetch(new Request(address, { cache: mode, integrity }));
      if (response.ok) return response;
    } catch (_) {
      // An integrity mismatch or a network error: try once more past the HTTP cache.
    }
  }
  throw new Error("could not fetch " + address + " for offline use");
}

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    for (const [address, key, integrity] of FILES) {
      if (await cache.match(key)) continue; // an install interrupted earlier got this far
      await cache.put(key, await fetchChecked(address, integrity));
    }
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

// The page's "Reload to update" button.
self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    // `?v=<build>` only steers HTTP caches; share links live in the hash, which never reaches here.
    const hit = (await cache.match(request, { ignoreSearch: true }))
      || (request.mode === "navigate" ? await cache.match("./") : undefined);
    return hit || fetch(request);
  })());
});
