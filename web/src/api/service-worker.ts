// The page's side of the service worker (web/src/sw.ts): registering it, this browser's push
// subscription (PushManager, which talks to the browser's push service), and the worker asking
// an open page to show a path (a notification was clicked).

/** How long subscribing waits for the service worker to be active. */
const WORKER_READY_MS = 10_000;

/** What the service worker posts to the app's pages. */
export type WorkerMessage = { type: "navigate"; path: string };

/** Register /sw.js once the page has loaded; `navigate` shows a path the worker asks for. */
export function registerServiceWorker(navigate: (path: string) => void): void {
  if (!("serviceWorker" in navigator) || location.protocol === "file:") return;
  navigator.serviceWorker.addEventListener("message", (event) => {
    const message = event.data as WorkerMessage | undefined;
    if (message?.type !== "navigate" || typeof message.path !== "string") return;
    if (message.path.startsWith("/") && !message.path.startsWith("//")) navigate(message.path);
  });
  addEventListener("load", () => {
    void navigator.serviceWorker.register("/sw.js").catch(() => undefined);
  });
}

/** This browser's push subscription, as the push store needs it. */
export interface PushPort {
  supported: boolean;
  /** The current subscription, or null (none, or no worker registered yet). */
  current(): Promise<PushSubscription | null>;
  /** Ask for permission, then subscribe with the server's VAPID key (base64url). */
  subscribe(publicKey: string): Promise<PushSubscriptionJSON>;
  unsubscribe(): Promise<void>;
}

function base64UrlBytes(text: string): Uint8Array<ArrayBuffer> {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, "=")), (c) =>
    c.charCodeAt(0),
  );
}

function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const supported =
  typeof navigator !== "undefined" &&
  "serviceWorker" in navigator &&
  typeof window !== "undefined" &&
  "PushManager" in window &&
  "Notification" in window;

const registration = async () =>
  supported ? ((await navigator.serviceWorker.getRegistration()) ?? null) : null;

export const browserPush: PushPort = {
  supported,
  async current() {
    return (await (await registration())?.pushManager.getSubscription()) ?? null;
  },
  async subscribe(publicKey) {
    if (!supported) throw new Error("This browser cannot receive push notifications.");
    if ((await Notification.requestPermission()) !== "granted") {
      throw new Error("Notifications are blocked for this site; allow them in the browser.");
    }
    const ready = await within(
      navigator.serviceWorker.ready,
      WORKER_READY_MS,
      "The service worker is not running; reload the page and try again.",
    );
    const subscription = await ready.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: base64UrlBytes(publicKey),
    });
    return subscription.toJSON();
  },
  async unsubscribe() {
    await (await this.current())?.unsubscribe();
  },
};
