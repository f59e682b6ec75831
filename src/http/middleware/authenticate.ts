// Authentication for /api/v1: a bearer token or the od_token cookie (not when the browser says
// a page of another origin sent it), checked before anything else runs. Cookie-authenticated writes must also be JSON and come from an allowed Origin
// (CSRF), and only admins may change anything.

import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import type { Accounts } from "../../auth/accounts.ts";
import { AppError } from "../../errors.ts";
import { UPLOAD_HEADER } from "../../protocol/uploads.ts";
import type { AppEnv, AuthVia } from "../app-env.ts";
import { isAllowedOrigin, type OriginPolicy } from "../origin.ts";

/** Name of the session cookie (HttpOnly, SameSite=Strict). */
export const TOKEN_COOKIE = "od_token";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Options of `authenticate`. */
export interface AuthenticateOptions {
  /**
   * Runs for a request without valid credentials, before its 401: the budget of anonymous
   * requests, which may throw its own refusal (429) instead.
   */
  onAnonymous?: (c: Context) => void;
  /** Decides whether a cookie sent from another origin may be used (ALLOWED_ORIGINS). */
  policy?: OriginPolicy;
}

/**
 * The browser says the request comes from a page of another origin (`Sec-Fetch-Site`: a
 * sibling site's page gets our SameSite=Strict cookie too) that is not an allowed one. Its
 * cookie is not used: such a page can neither read with it nor spend the user's budgets.
 */
function foreignPage(c: Context, policy: OriginPolicy | undefined): boolean {
  const site = c.req.header("sec-fetch-site");
  if (site === undefined || site === "same-origin" || site === "none") return false;
  return !policy || !isAllowedOrigin(c, policy);
}

export function authenticate(
  accounts: Accounts,
  { onAnonymous, policy }: AuthenticateOptions = {},
) {
  return createMiddleware<AppEnv>(async (c, next) => {
    // A request that does not authenticate spends its anonymous budget first (which may refuse it).
    const refuse = (error: unknown) => {
      if (error instanceof AppError && error.status === 401) onAnonymous?.(c);
      return error;
    };
    const header = c.req.header("authorization");
    let token: string | undefined;
    let via: AuthVia = "bearer";
    if (header !== undefined) {
      token = bearerToken(header);
      if (!token) throw refuse(new AppError(401, "invalid_token", "invalid or expired token"));
    } else if (!foreignPage(c, policy)) {
      token = getCookie(c, TOKEN_COOKIE);
      via = "cookie";
    }
    if (!token) throw refuse(new AppError(401, "unauthenticated", "sign in first"));
    const principal = await accounts.authenticate(token).catch((error: unknown) => {
      throw refuse(error);
    });
    c.set("principal", principal);
    c.set("authVia", via);
    c.set("token", token);
    await next();
  });
}

/** The token of an `Authorization: Bearer <token>` header; undefined for any other header. */
export function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(header ?? "")?.[1];
}

/**
 * CSRF: a cookie-authenticated state-changing request needs an allowed Origin and JSON. Routes
 * that take a raw body (`rawBody`, file uploads) need `X-OpenDray-Upload: 1` instead of JSON: a
 * cross-site form can send neither, and a cross-site fetch cannot add the header without a CORS
 * preflight, which this server never grants.
 */
export function csrfGuard(policy: OriginPolicy, rawBody: (c: Context) => boolean = () => false) {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (c.get("authVia") !== "cookie" || SAFE_METHODS.has(c.req.method)) return next();
    if (!isAllowedOrigin(c, policy)) {
      throw new AppError(403, "origin_forbidden", "request from a foreign origin");
    }
    if (rawBody(c)) {
      if (c.req.header(UPLOAD_HEADER) !== "1") {
        throw new AppError(403, "upload_header_required", "an upload needs X-OpenDray-Upload: 1");
      }
      return next();
    }
    const type = c.req.header("content-type") ?? "";
    if (!/^application\/json\s*(;|$)/i.test(type)) {
      throw new AppError(415, "unsupported_media_type", "Content-Type must be application/json");
    }
    await next();
  });
}

/** Viewers read and watch; every other method needs an admin, except the given paths. */
export function adminForWrites(exceptPaths: readonly string[] = []) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const path = c.req.path;
    const excepted = exceptPaths.some((except) =>
      except.endsWith("/*") ? path.startsWith(except.slice(0, -1)) : path === except,
    );
    if (SAFE_METHODS.has(c.req.method) || excepted) return next();
    if (c.get("principal").user.role !== "admin") {
      throw new AppError(403, "forbidden", "viewers cannot change anything");
    }
    await next();
  });
}
