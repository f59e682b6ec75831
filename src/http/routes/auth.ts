// /auth: sign-in (cookie + token), sign-out, who am I, first-run setup, password change. Handlers
// validate, call the accounts service, and shape the answer; every password attempt is validated
// first, then throttled, then audited: its refusal here, its success by the accounts service.

import { type Context, Hono } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import type { z } from "zod";
import type { Accounts } from "../../auth/accounts.ts";
import type { Actor } from "../../cause.ts";
import { AppError } from "../../errors.ts";
import {
  credentialsSchema,
  type LoginResult,
  passwordChangeSchema,
  type SetupState,
  setupRequestSchema,
} from "../../protocol/auth.ts";
import type { AppEnv } from "../app-env.ts";
import { readJson } from "../json-body.ts";
import type { LoginThrottle } from "../login-throttle.ts";
import { type Audit, bodyUsername } from "../middleware/audit.ts";
import { TOKEN_COOKIE } from "../middleware/authenticate.ts";
import { isHttps, type OriginPolicy } from "../origin.ts";
import type { Limit } from "../route-limits.ts";

/**
 * Password attempts refused before they count leave no audit row: throttled ones (a guessing
 * run would fill the log) and bodies that are not JSON (all a page on another origin can send).
 * Malformed JSON and invalid fields (a NUL in the name) are audited as errors.
 */
const UNAUDITED_ATTEMPTS = [415, 429] as const;

/**
 * Validates the JSON body, then spends one password attempt on the name `nameOf` gives (429):
 * before the audit row and before any password is checked. A body that is not JSON (415, what a
 * page on another origin can send) spends nothing; a malformed JSON one (400) spends an attempt
 * of its address, so that parsing large bodies stays bounded too.
 */
function attempt<Schema extends z.core.$ZodType>(
  throttle: LoginThrottle,
  schema: Schema,
  nameOf: (c: Context<AppEnv>, body: z.core.output<Schema>) => string | null,
) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const body = await readJson(c, schema).catch((error: unknown) => {
      if (error instanceof AppError && error.status === 400) throttle.take(c, null);
      throw error;
    });
    throttle.take(c, nameOf(c, body));
    await next();
  });
}

export interface AuthRoutesDeps {
  accounts: Accounts;
  audit: Audit;
  policy: OriginPolicy;
  /** The one-time setup token while no user exists (loopback only), else null. */
  setupToken: () => string | null;
  /** Called once setup has created the first admin. */
  onSetupDone: () => void;
  /** Credentials changed (sign-out, password change): close sockets they no longer open. */
  recheckSockets: () => Promise<void>;
  /** Budgets of password attempts: sign-in, setup, password change. */
  throttle: LoginThrottle;
  /** Spends one request of the caller's anonymous budget (per address); throws 429 past it. */
  limitAnonymous: (c: Context) => void;
  /** The signed-in user's budgets (routes for a signed-in user only). */
  limit: Limit;
  /** The client address of a request (null when unknown). */
  addressOf: (c: Context<AppEnv>) => string | null;
  /** The signed-in requester and their address: the actor the accounts service audits. */
  actorOf: (c: Context<AppEnv>) => Actor;
}

function withCookie(c: Context, result: LoginResult, policy: OriginPolicy) {
  setCookie(c, TOKEN_COOKIE, result.token, {
    httpOnly: true,
    sameSite: "Strict",
    secure: isHttps(c, policy),
    path: "/",
    expires: new Date(result.expiresAt),
  });
  return result;
}

/** Routes reachable without a token. */
export function publicAuthRoutes(deps: AuthRoutesDeps) {
  const { accounts, policy, setupToken, onSetupDone, audit, throttle, limitAnonymous, addressOf } =
    deps;
  return new Hono<AppEnv>()
    .post(
      "/auth/login",
      audit("auth.login", {
        actor: bodyUsername,
        unaudited: UNAUDITED_ATTEMPTS,
        refusalsOnly: true,
      }),
      attempt(throttle, credentialsSchema, (_, body) => body.username),
      async (c) => {
        const body = await readJson(c, credentialsSchema);
        const result = await accounts.login(body.username, body.password, addressOf(c));
        return c.json(withCookie(c, result, policy));
      },
    )
    .post(
      "/auth/setup",
      audit("auth.setup", {
        actor: bodyUsername,
        unaudited: UNAUDITED_ATTEMPTS,
        refusalsOnly: true,
      }),
      attempt(throttle, setupRequestSchema, () => null),
      async (c) => {
        const body = await readJson(c, setupRequestSchema);
        const result = await accounts.setup(
          setupToken(),
          body.setupToken,
          body.username,
          body.password,
          addressOf(c),
        );
        onSetupDone();
        return c.json(withCookie(c, result, policy), 201);
      },
    )
    .get("/auth/setup", async (c) => {
      // For the sign-in page (point to the setup link) and a used link (say so before the form).
      limitAnonymous(c);
      const state: SetupState = { open: !(await accounts.hasUsers()) };
      return c.json(state);
    });
}

/** Routes for a signed-in user. */
export function authRoutes({
  accounts,
  policy,
  audit,
  recheckSockets,
  throttle,
  limit,
  actorOf,
}: AuthRoutesDeps) {
  const self = (c: Context<AppEnv>) => c.get("principal").user.id;
  const by = (c: Context<AppEnv>) => ({ actor: actorOf(c) });
  return new Hono<AppEnv>()
    .get("/auth/me", limit("reads"), (c) => c.json(c.get("principal").user))
    .post("/auth/logout", audit("auth.logout", { target: self, refusalsOnly: true }), async (c) => {
      await accounts.logout(c.get("principal").claims, by(c));
      await recheckSockets();
      deleteCookie(c, TOKEN_COOKIE, { path: "/", secure: isHttps(c, policy) });
      return c.body(null, 204);
    })
    .post(
      "/auth/password",
      audit("auth.password", { target: self, unaudited: UNAUDITED_ATTEMPTS, refusalsOnly: true }),
      attempt(throttle, passwordChangeSchema, (c) => c.get("principal").user.username),
      async (c) => {
        const body = await readJson(c, passwordChangeSchema);
        const { user } = c.get("principal");
        const result = await accounts.changePassword(
          user.id,
          body.currentPassword,
          body.newPassword,
          by(c),
        );
        await recheckSockets();
        return c.json(withCookie(c, result, policy));
      },
    );
}
