// Web Push and notification settings as the REST API carries them, the payload of a push message
// as the service worker (web/src/sw.ts) reads it, and the quiet-hours rule both sides apply.
// Pure: imported by the server and by web/.
//
//   GET    /api/v1/push/key                    → PushKey            (the VAPID public key)
//   GET    /api/v1/push/subscriptions          → { subscriptions: PushSubscriptionInfo[] }
//   POST   /api/v1/push/subscriptions          NewPushSubscription → 201 PushSubscriptionInfo
//   DELETE /api/v1/push/subscriptions/:id      → 204 (only one's own)
//   GET    /api/v1/notifications/settings      → NotificationSettings
//   PUT    /api/v1/notifications/settings      NotificationSettings → NotificationSettings
//   POST   /api/v1/answers                     ActionAnswer → 200 Session (no sign-in: the token
//          is the credential; 401 action_token_invalid, 403, 409 prompt_changed)

import type { ActivityState } from "./attention.ts";

export interface PushKey {
  /** The VAPID public key, base64url of the uncompressed P-256 point (applicationServerKey). */
  publicKey: string;
}

/** A browser's PushSubscription as `toJSON()` gives it, and a name for the device. */
export interface NewPushSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  /** Shown in the list of devices ("Chrome on Android"). */
  label?: string;
}

export interface PushSubscriptionInfo {
  id: string;
  /** The push service's host only: the full endpoint is a capability, never shown back. */
  host: string;
  label: string;
  createdAt: string;
  /** Last time the push service took a message for it. */
  lastSuccessAt: string | null;
}

/** Activities that notify: a session that starts waiting, or whose turn is done. */
export const NOTIFY_ACTIVITIES = ["waiting", "done"] as const satisfies readonly ActivityState[];
export type NotifyActivity = (typeof NOTIFY_ACTIVITIES)[number];

export interface NotificationSettings {
  /** Which activities send a notification (default both). */
  activities: NotifyActivity[];
  /** No notification from `start` to `end` ("HH:MM", 24 h) in `timeZone` (IANA); null: none. */
  quietHours: { start: string; end: string; timeZone: string } | null;
}

/** The body of a push message (JSON, before RFC 8291 encryption). */
export interface PushPayload {
  kind: NotifyActivity;
  sessionId: string;
  sessionName: string;
  /** The notification's title and body. */
  title: string;
  body: string;
  /** The waiting prompt's option labels, at most two (the notification's actions). */
  options: string[];
  /** One-time answer token for those options (null: no answer from the notification). */
  token: string | null;
  /** Where "Open" goes: the session in the web UI. */
  url: string;
}

/** POST /api/v1/answers: an answer from a notification or another channel with a token. */
export interface ActionAnswer {
  token: string;
  /** Index into the prompt's options. */
  option: number;
}

/**
 * Whether `at` falls in quiet hours `start`–`end` ("HH:MM", `start` included, across midnight
 * when `end` comes first) in `timeZone`. None, equal ends or an unknown zone: never quiet.
 */
export function inQuietHours(quiet: NotificationSettings["quietHours"], at: Date): boolean {
  if (!quiet || quiet.start === quiet.end) return false;
  let local: string;
  try {
    local = new Intl.DateTimeFormat("en-GB", {
      timeZone: quiet.timeZone,
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).format(at);
  } catch {
    return false;
  }
  return quiet.start < quiet.end
    ? local >= quiet.start && local < quiet.end
    : local >= quiet.start || local < quiet.end;
}
