// Notifications this tab shows itself (while it is open) when a session starts waiting on a
// prompt or finishes a turn. Silent when this device gets Web Push (the service worker shows
// those), when not turned on here, and outside the user's settings (loaded the first time a
// notification is due). Shown through the service worker's registration, as push ones are:
// Chrome on Android refuses `new Notification()`, which is only the fallback without a worker.
import type { PushPayload } from "../../../src/protocol/push.ts";
import type { Session } from "../../../src/protocol/session.ts";
import type { NotificationSettingsStore } from "./notification-settings.ts";
import type { PrefsStore } from "./prefs.ts";
import type { PushStore } from "./push.ts";

export interface NotifierDeps {
  prefs: PrefsStore;
  push: PushStore;
  settings: NotificationSettingsStore;
  /** Show the session (a click on a notification shown without the service worker). */
  open: (sessionId: string) => void;
}

export function createNotifier({ prefs, push, settings, open }: NotifierDeps) {
  return async (session: Session) => {
    const activity = session.activity;
    if (activity?.state !== "waiting" && activity?.state !== "done") return;
    if (push.enabled.value || !prefs.notify.value) return;
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    if (!settings.settings.value) await settings.load();
    if (!settings.allows(activity.state, new Date())) return;
    const name = session.name || session.provider;
    // The words of the server's push notifications (src/attention/notifier.ts noticeText).
    const prompt = activity.prompt;
    const [title, body] =
      activity.state === "waiting"
        ? [
            `${name} needs you`,
            [prompt?.text, prompt?.detail].filter(Boolean).join("\n") || "It is waiting for you.",
          ]
        : [`${name} is done`, "Its turn is over."];
    // The push message's shape, so that the worker's click handler opens the session.
    const payload: PushPayload = {
      kind: activity.state,
      sessionId: session.id,
      sessionName: name,
      title,
      body,
      options: [],
      token: null,
      url: `/s/${encodeURIComponent(session.id)}`,
    };
    const options = { body, tag: session.id, icon: "/icon-192.png", data: payload };
    const registration = await activeWorker();
    if (registration?.active) {
      await registration.showNotification(title, options).catch(() => undefined);
      return;
    }
    try {
      const note = new Notification(title, options);
      note.onclick = () => {
        focus();
        open(session.id);
      };
    } catch {
      // No worker and no constructor (Chrome on Android before the worker is up): nothing to do.
    }
  };
}

/** How long a notification waits for the service worker to become active (just after a load). */
const WORKER_WAIT_MS = 3000;

/**
 * The service worker's registration once a worker is active, or undefined after WORKER_WAIT_MS
 * (or without service workers). Shown through it, a notification works on Chrome for Android,
 * which refuses `new Notification()`, and opens the session from a click even after a reload.
 */
async function activeWorker(): Promise<ServiceWorkerRegistration | undefined> {
  const container = navigator.serviceWorker;
  if (!container) return undefined;
  const registration = await container.getRegistration().catch(() => undefined);
  if (registration?.active) return registration;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), WORKER_WAIT_MS);
  });
  try {
    return await Promise.race([container.ready, late]);
  } finally {
    clearTimeout(timer);
  }
}
