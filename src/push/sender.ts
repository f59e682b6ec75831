// Sending Web Push messages: RFC 8291 encryption and the RFC 8292 VAPID header by the `web-push`
// library (generateRequestDetails), the request by fetch with a timeout, so that a slow or dead
// push service never holds anything up. A subscription the push service says is gone (404, 410)
// is deleted; one that fails MAX_FAILURES times in a row is too.

import webpush from "web-push";
import type { PushRepo } from "../db/push-repo.ts";
import type { PushSubscriptionRow } from "../db/schema.ts";
import type { PushPayload } from "../protocol/push.ts";
import { checkEndpoint, type EndpointPolicy } from "./endpoint.ts";
import type { VapidKeys } from "./vapid.ts";

/** A push service that has not answered in this long has failed this send. */
export const PUSH_TIMEOUT_MS = 10_000;
/** Sends failed in a row after which a subscription is given up. */
export const MAX_FAILURES = 10;
/** How long a push service keeps trying to deliver a message to an offline device. */
const TTL_SECONDS = 3600;

export type SendResult = "sent" | "gone" | "failed";

export interface PushSenderOptions {
  repo: PushRepo;
  keys: VapidKeys;
  /** PUSH_SUBJECT. */
  subject: string;
  policy: EndpointPolicy;
  /** Certificates trusted for push services beside the system's (tests: a local stand-in). */
  ca?: string | undefined;
  now?: () => number;
  onError: (error: unknown, context: string) => void;
}

export interface PushSender {
  /** Send `payload` to one subscription; never throws. */
  send(subscription: PushSubscriptionRow, payload: PushPayload): Promise<SendResult>;
}

export function createPushSender(options: PushSenderOptions): PushSender {
  const now = options.now ?? Date.now;
  const vapidDetails = {
    subject: options.subject,
    publicKey: options.keys.publicKey,
    privateKey: options.keys.privateKey,
  };

  const failed = async (subscription: PushSubscriptionRow, why: string): Promise<SendResult> => {
    const failures = await options.repo.failed(subscription.id);
    if (failures >= MAX_FAILURES) {
      await options.repo.prune(subscription.id);
      options.onError(
        new Error(`push to ${hostOf(subscription.endpoint)} failed ${failures} times: ${why}`),
        "dropping a push subscription",
      );
      return "gone";
    }
    return "failed";
  };

  return {
    async send(subscription, payload) {
      try {
        await checkEndpoint(subscription.endpoint, options.policy);
        const request = webpush.generateRequestDetails(
          {
            endpoint: subscription.endpoint,
            keys: { p256dh: subscription.p256dh, auth: subscription.auth },
          },
          JSON.stringify(payload),
          {
            vapidDetails,
            TTL: TTL_SECONDS,
            urgency: payload.kind === "waiting" ? "high" : "normal",
            // A newer message about the same session replaces one not yet delivered.
            topic: payload.sessionId.replaceAll("-", ""),
          },
        );
        const response = await fetch(request.endpoint, {
          method: request.method,
          headers: request.headers as Record<string, string>,
          body: new Uint8Array(request.body),
          redirect: "manual",
          signal: AbortSignal.timeout(PUSH_TIMEOUT_MS),
          ...(options.ca ? { tls: { ca: options.ca } } : {}),
        });
        await response.arrayBuffer().catch(() => undefined);
        if (response.status === 404 || response.status === 410) {
          await options.repo.prune(subscription.id);
          return "gone";
        }
        if (response.status < 200 || response.status >= 300) {
          return await failed(subscription, `status ${response.status}`);
        }
        await options.repo.succeeded(subscription.id, new Date(now()));
        return "sent";
      } catch (error) {
        try {
          return await failed(subscription, error instanceof Error ? error.message : String(error));
        } catch (storeError) {
          options.onError(storeError, "recording a failed push");
          return "failed";
        }
      }
    },
  };
}

function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return "an invalid endpoint";
  }
}
