// The service worker: caches the app shell (index.html, the hashed script and stylesheet,
// icons, manifest) so the UI opens instantly and installs as a PWA. API calls and WebSockets are
// never cached or even intercepted. It shows push messages (a PushPayload) as notifications
// whose actions answer the prompt (POST /api/v1/answers with the message's one-time token) or
// open the session.
/// <reference lib="webworker" />

import type { PushPayload } from "../../src/protocol/push.ts";
import type { WorkerMessage } from "./api/service-worker.ts";

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

/** What showNotification takes beyond the DOM typings: buttons, and alerting again on a tag. */
interface ActionNotificationOptions extends NotificationOptions {
  actions?: { action: string; title: string }[];
  renotify?: boolean;
}

/** A notification offers at most this many answers (and "Open" besides). */
const MAX_OPTIONS = 2;

function readPayload(event: PushEvent): PushPayload | null {
  try {
    return (event.data?.json() as PushPayload | undefined) ?? null;
  } catch {
    return null;
  }
}

worker.addEventListener("push", (event) => {
  const payload = readPayload(event);
  if (!payload) {
    // Chrome requires a notification for every push; say something rather than nothing.
    event.waitUntil(worker.registration.showNotification("OpenDray", { icon: "/icon-192.png" }));
    return;
  }
  const options: ActionNotificationOptions = {
    body: payload.body,
    tag: payload.sessionId,
    renotify: true,
    icon: "/icon-192.png",
    data: payload,
    actions: [
      ...payload.options
        .slice(0, MAX_OPTIONS)
        .map((title, index) => ({ action: `option-${index}`, title })),
      { action: "open", title: "Open" },
    ],
  };
  event.waitUntil(worker.registration.showNotification(payload.title, options));
});

/** Show `url`: in an open window of the app (through its router), else in a new one. */
async function openApp(url: string): Promise<void> {
  const target = new URL(url, location.origin);
  const windows = await worker.clients.matchAll({ type: "window", includeUncontrolled: true });
  const client =
    target.origin === location.origin
      ? (windows.find((w) => w.focused) ??
        windows.find((w) => w.visibilityState === "visible") ??
        windows[0])
      : undefined;
  if (!client) {
    await worker.clients.openWindow(target.href);
    return;
  }
  const message: WorkerMessage = { type: "navigate", path: `${target.pathname}${target.search}` };
  client.postMessage(message);
  // Browsers refuse focus once the click is long past (a slow answer); the page moved anyway.
  await client.focus().catch(() => undefined);
}

/** Send the answer; false when it did not go through (the prompt changed, the token expired). */
async function answer(token: string, option: number): Promise<boolean> {
  try {
    const response = await fetch("/api/v1/answers", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token, option }),
    });
    return response.ok;
  } catch {
    return false;
  }
}

worker.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const payload = event.notification.data as PushPayload | null;
  if (!payload) {
    event.waitUntil(openApp("/"));
    return;
  }
  const option = /^option-(\d+)$/.exec(event.action)?.[1];
  if (option === undefined || !payload.token) {
    event.waitUntil(openApp(payload.url));
    return;
  }
  event.waitUntil(
    answer(payload.token, Number(option)).then((ok) => (ok ? undefined : openApp(payload.url))),
  );
});
