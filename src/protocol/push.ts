// Web Push and notification settings as the REST API carries them, the payload of a push message
// as the service worker (web/src/sw.ts) reads it, and the quiet-hours rule both sides apply.
// Schemas (zod/mini; the server validates the bodies with them) and the types inferred from
// them: imported by the server and by web/.
//
//   GET    /api/v1/push/key                    → PushKey            (the VAPID public key)
//   GET    /api/v1/push/subscriptions          → { subscriptions: PushSubscriptionInfo[] }
//   POST   /api/v1/push/subscriptions          NewPushSubscription → 201 PushSubscriptionInfo
//   DELETE /api/v1/push/subscriptions/:id      → 204 (only one's own)
//   GET    /api/v1/notifications/settings      → NotificationSettings
//   PUT    /api/v1/notifications/settings      NotificationSettings → NotificationSettings
//   POST   /api/v1/answers                     ActionAnswer → 200 Session (no sign-in: the token
//          is the credential; 401 action_token_invalid, 403, 409 prompt_changed)

import * as z from "zod/mini";
import type { ActivityState } from "./attention.ts";

export const pushKeySchema = z.object({
  /** The VAPID public key, base64url of the uncompressed P-256 point (applicationServerKey). */
  publicKey: z.string(),
});
export type PushKey = z.infer<typeof pushKeySchema>;

const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

/** How many bytes the base64url text `value` (padded or not) decodes to. */
const base64urlLength = (value: string) => Math.floor((value.replace(/=+$/, "").length * 3) / 4);

/** Base64url of exactly `bytes` bytes. */
const base64url = (bytes: number) =>
  z.string().check(
    z.regex(BASE64URL, "must be base64url"),
    z.refine((value) => base64urlLength(value) === bytes, { error: `must be ${bytes} bytes` }),
  );

/** A browser's PushSubscription as `toJSON()` gives it, and a name for the device. */
export const newPushSubscriptionSchema = z.object({
  endpoint: z.string().check(z.minLength(1), z.maxLength(2048)),
  keys: z.object({
    // An uncompressed P-256 point (0x04, x, y) and a 16-byte secret (RFC 8291). The first byte
    // is 4 when the first digit is B (000001) and the second one of A–P (00xxxx).
    p256dh: base64url(65).check(
      z.refine((value) => /^B[A-P]/.test(value), {
        error: "must be an uncompressed P-256 point",
      }),
    ),
    auth: base64url(16),
  }),
  /** Shown in the list of devices ("Chrome on Android"). */
  label: z.optional(z.string().check(z.trim(), z.maxLength(100))),
  expirationTime: z.optional(z.nullable(z.number())),
});
export type NewPushSubscription = z.infer<typeof newPushSubscriptionSchema>;

export const pushSubscriptionInfoSchema = z.object({
  id: z.string(),
  /** The push service's host only: the full endpoint is a capability, never shown back. */
  host: z.string(),
  label: z.string(),
  createdAt: z.string(),
  /** Last time the push service took a message for it. */
  lastSuccessAt: z.nullable(z.string()),
});
export type PushSubscriptionInfo = z.infer<typeof pushSubscriptionInfoSchema>;

/** Activities that notify: a session that starts waiting, or whose turn is done. */
export const NOTIFY_ACTIVITIES = ["waiting", "done"] as const satisfies readonly ActivityState[];
export const notifyActivitySchema = z.enum(NOTIFY_ACTIVITIES);
export type NotifyActivity = z.infer<typeof notifyActivitySchema>;

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

export const notificationSettingsSchema = z.object({
  /** Which activities send a notification (default both). */
  activities: z.array(notifyActivitySchema).check(z.maxLength(NOTIFY_ACTIVITIES.length)),
  /** No notification from `start` to `end` ("HH:MM", 24 h) in `timeZone` (IANA); null: none. */
  quietHours: z.nullable(
    z.object({
      start: z.string().check(z.regex(HHMM, "must be HH:MM")),
      end: z.string().check(z.regex(HHMM, "must be HH:MM")),
      timeZone: z.string().check(
        z.maxLength(64),
        z.refine((zone) => Intl.supportedValuesOf("timeZone").includes(zone) || zone === "UTC", {
          error: "must be an IANA time zone",
        }),
      ),
    }),
  ),
});
export type NotificationSettings = z.infer<typeof notificationSettingsSchema>;

/** The body of a push message (JSON, before RFC 8291 encryption). */
export const pushPayloadSchema = z.object({
  kind: notifyActivitySchema,
  sessionId: z.string(),
  sessionName: z.string(),
  /** The notification's title and body. */
  title: z.string(),
  body: z.string(),
  /** The waiting prompt's option labels, at most two (the notification's actions). */
  options: z.array(z.string()),
  /** One-time answer token for those options (null: no answer from the notification). */
  token: z.nullable(z.string()),
  /** Where "Open" goes: the session in the web UI. */
  url: z.string(),
});
export type PushPayload = z.infer<typeof pushPayloadSchema>;

/** POST /api/v1/answers: an answer from a notification or another channel with a token. */
export const actionAnswerSchema = z.object({
  token: z.string().check(z.minLength(1), z.maxLength(2048)),
  /** Index into the prompt's options. */
  option: z.int().check(z.minimum(0), z.maximum(8)),
});
export type ActionAnswer = z.infer<typeof actionAnswerSchema>;

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
