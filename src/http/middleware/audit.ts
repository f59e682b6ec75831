// Audit rows for security-relevant requests (DESIGN §8): who (the signed-in user, or the
// username tried at sign-in), from where (client IP), what, on what, and how it ended. Written
// before the response leaves, so a client that saw the answer can find the row. Session, account
// and provider actions that happened are recorded from the domain's events (src/audit/recorder.ts);
// here only their refused requests, which changed nothing.

import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AuditRepo } from "../../db/audit-repo.ts";
import type { AuditOutcome } from "../../db/schema.ts";
import { normalizeUsername, USERNAME_MAX_LENGTH } from "../../protocol/auth.ts";
import type { AppEnv } from "../app-env.ts";
import { clientIp } from "../client-ip.ts";

export interface AuditDeps {
  repo: AuditRepo;
  trustProxy: boolean;
  onError: (error: unknown, context: string) => void;
  /** Resolves when the rows of actions done so far are written (src/audit/recorder.ts). */
  recorded?: () => Promise<void>;
}

/** What an audited route contributes: the target, and the actor when nobody is signed in. */
export interface AuditSubject {
  target?: (c: Context<AppEnv>) => string | null | Promise<string | null>;
  actor?: (c: Context<AppEnv>) => string | null | Promise<string | null>;
  /** More to record beside the status (the channel of an answer). */
  detail?: (c: Context<AppEnv>) => Record<string, unknown>;
  /** Answers that leave no row (sign-in: throttled, or not JSON as a page on another origin sends). */
  unaudited?: readonly number[];
  /**
   * The domain records the action when it succeeds: only refusals (4xx/5xx) get a row here, and
   * a success waits for the domain's row instead.
   */
  refusalsOnly?: boolean;
}

function outcomeOf(status: number): AuditOutcome {
  if (status < 400) return "ok";
  return status === 401 || status === 403 || status === 429 ? "denied" : "error";
}

/** A factory of per-route audit middleware: `audit("session.stop", { target: byId })`. */
export function createAudit({ repo, trustProxy, onError, recorded }: AuditDeps) {
  return (action: string, subject: AuditSubject = {}) =>
    createMiddleware<AppEnv>(async (c, next) => {
      await next();
      if (subject.unaudited?.includes(c.res.status)) return;
      if (subject.refusalsOnly && c.res.status < 400) {
        await recorded?.();
        return;
      }
      try {
        const signedIn = c.get("principal")?.user.username ?? null;
        await repo.append({
          actor: signedIn ?? (await subject.actor?.(c)) ?? null,
          clientIp: clientIp(c, { trustProxy }),
          action,
          target: (await subject.target?.(c)) ?? null,
          outcome: outcomeOf(c.res.status),
          detail: { status: c.res.status, ...subject.detail?.(c) },
        });
      } catch (error) {
        onError(error, `writing the audit row for ${action}`);
      }
    });
}

export type Audit = ReturnType<typeof createAudit>;

/** The `:id` of the route. */
export const byId = (c: Context<AppEnv>) => c.req.param("id") ?? null;

/**
 * The username in the (already parsed, cached) JSON body, in its normal form (the one the sign-in
 * limits count): who tried to sign in.
 */
export async function bodyUsername(c: Context<AppEnv>): Promise<string | null> {
  try {
    const body = (await c.req.json()) as { username?: unknown };
    return typeof body.username === "string"
      ? normalizeUsername(body.username).slice(0, USERNAME_MAX_LENGTH)
      : null;
  } catch {
    return null;
  }
}
