// Notifications this tab shows itself (the Notification API, while it is open) when a session
// starts waiting on a prompt or finishes a turn. Silent when this device gets Web Push (the
// service worker shows those), when not turned on here, and outside the user's settings.
import type { Session } from "../../../src/protocol/session.ts";
import type { NotificationSettingsStore } from "./notification-settings.ts";
import type { PrefsStore } from "./prefs.ts";
import type { PushStore } from "./push.ts";

export interface NotifierDeps {
  prefs: PrefsStore;
  push: PushStore;
  settings: NotificationSettingsStore;
  /** Show the session (a click on the notification). */
  open: (sessionId: string) => void;
}

export function createNotifier({ prefs, push, settings, open }: NotifierDeps) {
  return (session: Session) => {
    const activity = session.activity;
    if (activity?.state !== "waiting" && activity?.state !== "done") return;
    if (push.enabled.value || !prefs.notify.value) return;
    if (!("Notification" in window) || Notification.permission !== "granted") return;
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
    const note = new Notification(title, { body, tag: session.id, icon: "/icon-192.png" });
    note.onclick = () => {
      focus();
      open(session.id);
    };
  };
}
