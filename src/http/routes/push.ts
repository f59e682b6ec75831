// /push and /notifications: a user's devices for Web Push and what notifies them (their own,
// whatever their role), and /answers: an answer from a notification or a chat button, whose
// one-time token is the credential (mounted before sign-in; see src/attention/action-tokens.ts).

import { randomUUID } from "node:crypto";
import { type Context, Hono } from "hono";
import type { ActionTokens } from "../../attention/action-tokens.ts";
import type { PushRepo } from "../../db/push-repo.ts";
import type { RevokedTokensRepo } from "../../db/revoked-tokens-repo.ts";
import type { PushSubscriptionRow } from "../../db/schema.ts";
import type { UsersRepo } from "../../db/users-repo.ts";
import { AppError, notFound } from "../../errors.ts";
import {
  actionAnswerSchema,
  type NotificationSettings,
  newPushSubscriptionSchema,
  notificationSettingsSchema,
  type PushSubscriptionInfo,
} from "../../protocol/push.ts";
import { checkEndpoint, type EndpointPolicy } from "../../push/endpoint.ts";
import { DEFAULT_SETTINGS } from "../../push/push-channel.ts";
import type { VapidKeys } from "../../push/vapid.ts";
import type { SessionManager } from "../../sessions/manager.ts";
import type { AppEnv } from "../app-env.ts";
import { readJson } from "../json-body.ts";
import type { Audit } from "../middleware/audit.ts";
import { idParam, UUID } from "../middleware/id-param.ts";
import type { Limit } from "../route-limits.ts";

/** Devices one user may subscribe. */
export const MAX_SUBSCRIPTIONS_PER_USER = 20;

function toInfo(row: PushSubscriptionRow): PushSubscriptionInfo {
  return {
    id: row.id,
    host: new URL(row.endpoint).host,
    label: row.label,
    createdAt: row.createdAt.toISOString(),
    lastSuccessAt: row.lastSuccessAt?.toISOString() ?? null,
  };
}

export interface PushRoutesDeps {
  repo: PushRepo;
  keys: VapidKeys;
  policy: EndpointPolicy;
  limit: Limit;
  now?: () => number;
}

export function pushRoutes({ repo, keys, policy, limit, now = Date.now }: PushRoutesDeps) {
  const userId = (c: Context<AppEnv>) => c.get("principal").user.id;
  return new Hono<AppEnv>()
    .use("/push/*", limit("reads"))
    .use("/notifications/*", limit("reads"))
    .get("/push/key", (c) => c.json({ publicKey: keys.publicKey }))
    .get("/push/subscriptions", async (c) =>
      c.json({ subscriptions: (await repo.list(userId(c))).map(toInfo) }),
    )
    .post("/push/subscriptions", async (c) => {
      const body = await readJson(c, newPushSubscriptionSchema);
      const url = await checkEndpoint(body.endpoint, policy);
      const owned = await repo.list(userId(c));
      if (
        owned.length >= MAX_SUBSCRIPTIONS_PER_USER &&
        !owned.some((row) => row.endpoint === url.href)
      ) {
        throw new AppError(
          409,
          "too_many_subscriptions",
          `at most ${MAX_SUBSCRIPTIONS_PER_USER} devices; remove one first`,
        );
      }
      const stored = await repo.subscribe({
        id: randomUUID(),
        userId: userId(c),
        endpoint: url.href,
        p256dh: body.keys.p256dh,
        auth: body.keys.auth,
        label: body.label || "A browser",
        createdAt: new Date(now()),
      });
      return c.json(toInfo(stored), 201);
    })
    .delete("/push/subscriptions/:id", idParam(UUID, "subscription"), async (c) => {
      if (!(await repo.remove(userId(c), c.req.param("id")))) throw notFound("subscription");
      return c.body(null, 204);
    })
    .get("/notifications/settings", async (c) => {
      const settings = (await repo.settings(userId(c))) ?? DEFAULT_SETTINGS;
      return c.json(settings as NotificationSettings);
    })
    .put("/notifications/settings", async (c) => {
      const body = await readJson(c, notificationSettingsSchema);
      const settings = { activities: [...new Set(body.activities)], quietHours: body.quietHours };
      await repo.saveSettings(userId(c), settings, new Date(now()));
      return c.json(settings);
    });
}

export interface AnswerRoutesDeps {
  tokens: ActionTokens;
  spent: Pick<RevokedTokensRepo, "spend">;
  users: Pick<UsersRepo, "get">;
  manager: Pick<SessionManager, "answer">;
  audit: Audit;
  /** The request's client address, for the answer's audit row. */
  addressOf: (c: Context<AppEnv>) => string;
}

/**
 * POST /answers {token, option}: 401 action_token_invalid (forged, expired, spent), 403 when the
 * token's user may no longer type, 409 prompt_changed; each audited with the token's channel.
 */
export function answerRoutes({
  tokens,
  spent,
  users,
  manager,
  audit,
  addressOf,
}: AnswerRoutesDeps) {
  /** What each request's token said, for its audit row. */
  const said = new WeakMap<Request, { username: string; sessionId: string; channel: string }>();
  return new Hono<AppEnv>().post(
    "/answers",
    audit("session.answer", {
      target: (c) => said.get(c.req.raw)?.sessionId ?? null,
      actor: (c) => said.get(c.req.raw)?.username ?? null,
      detail: (c) => ({ channel: said.get(c.req.raw)?.channel ?? "unknown" }),
      // The answer that was typed is recorded by the manager.
      refusalsOnly: true,
    }),
    async (c) => {
      const body = await readJson(c, actionAnswerSchema);
      const claims = await tokens.verify(body.token);
      const user = await users.get(claims.userId);
      said.set(c.req.raw, {
        username: user?.username ?? claims.userId,
        sessionId: claims.sessionId,
        channel: claims.channel,
      });
      if (!(await spent.spend(claims.jti, claims.expiresAt))) {
        throw new AppError(401, "action_token_invalid", "the answer token was used already");
      }
      if (user?.role !== "admin") {
        throw new AppError(403, "forbidden", "this account may not answer");
      }
      const actor = {
        username: user.username,
        address: addressOf(c),
        channel: claims.channel,
      };
      return c.json(
        await manager.answer(claims.sessionId, claims.fingerprint, body.option, { actor }),
      );
    },
  );
}
