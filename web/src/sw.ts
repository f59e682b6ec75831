// The service worker: caches the app shell (index.html, the hashed script and stylesheet,
// icons, manifest) so the UI opens instantly and installs as a PWA. API calls and WebSockets are
// never cached or even intercepted.
/// <reference lib="webworker" />

declare const OPENDRAY_SHELL: string[];
declare const OPENDRAY_SHELL_VERSION: string;

const worker = self as unknown as ServiceWorkerGlobalScope;
const CACHE = `opendray-shell-${OPENDRAY_SHELL_VERSION}`;
const SHELL = new Set(OPENDRAY_SHELL);

worker.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(OPENDRAY_SHELL))
      .then(() => worker.skipWaiting()),
  );
});

worker.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => worker.clients.claim()),
  );
});

worker.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== location.origin) return;
  if (url.pathname.startsWith("/api/")) return;
  // Pages: network first (a fresh shell after an update), the cached shell when offline.
  if (event.request.mode === "navigate") {
    event.respondWith(
      fetch(event.request).catch(async () => (await caches.match("/")) ?? Response.error()),
    );
    return;
  }
  if (SHELL.has(url.pathname)) {
    event.respondWith(caches.match(url.pathname).then((hit) => hit ?? fetch(event.request)));
  }
});
