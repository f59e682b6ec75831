// The audit log written from what happened: each session action the manager reports, each
// account action the accounts service reports and each provider change the catalog reports
// becomes a row, with the requester's name and
// address when a request caused it, actor null and the reason in `detail` when the server acted
// by itself. Writes never hold up or fail the action.

import type { AccountAction, AccountActionType } from "../auth/account-actions.ts";
import type { AuditEntry } from "../db/audit-repo.ts";
import type { ProviderAction } from "../providers/catalog.ts";
import type { SessionAction, SessionActionType } from "../sessions/session-actions.ts";
import type { ShareAction } from "../shares/share-links.ts";

/** The audit action each session event is recorded as (the names rows had before). */
export const SESSION_AUDIT_ACTIONS: Record<SessionActionType, string> = {
  "session.created": "session.create",
  "session.renamed": "session.rename",
  "session.input": "session.input",
  "session.answered": "session.answer",
  "session.stopped": "session.stop",
  "session.restarted": "session.restart",
  "session.deleted": "session.delete",
  "session.ended": "session.end",
  "session.resumed": "session.resume",
  "session.interrupted": "session.interrupt",
  "session.worktree_added": "session.worktree_add",
  "session.worktree_removed": "session.worktree_remove",
  "session.exported": "session.export",
};

/** The audit action each account event is recorded as (the names rows had before). */
export const ACCOUNT_AUDIT_ACTIONS: Record<AccountActionType, string> = {
  "account.signed_in": "auth.login",
  "account.signed_out": "auth.logout",
  "account.setup": "auth.setup",
  "account.password_changed": "auth.password",
  "account.created": "user.create",
  "account.deleted": "user.delete",
};

/**
 * How long a response waits for the rows of what it did, in ms: a database that hangs delays
 * the answer at most this long (the rows are still written when it comes back, or logged).
 */
export const AUDIT_SETTLE_MS = 2000;

/** The audit action each share-link event is recorded as; a refused open is `share.open`, denied. */
export const SHARE_AUDIT_ACTIONS: Record<ShareAction["type"], string> = {
  "share.created": "share.create",
  "share.opened": "share.open",
  "share.refused": "share.open",
  "share.revoked": "share.revoke",
};

/** What the domain reports: the actions the audit log is written from. */
export type DomainAction = SessionAction | AccountAction | ProviderAction | ShareAction;

export interface AuditRecorderDeps {
  append: (entry: AuditEntry) => Promise<void>;
  onError: (error: unknown, context: string) => void;
}

export interface AuditRecorder {
  /** Start writing the row of `action` (a listener for the domain's `onAction`). */
  record(action: DomainAction): void;
  /**
   * Resolves once every row started so far is written or has failed, or after `timeoutMs`
   * (default AUDIT_SETTLE_MS); never rejects.
   */
  settled(timeoutMs?: number): Promise<void>;
}

/** The row of one session action. */
export function sessionAuditEntry({ type, sessionId, actor, detail }: SessionAction): AuditEntry {
  return {
    actor: actor?.username ?? null,
    clientIp: actor?.address ?? null,
    action: SESSION_AUDIT_ACTIONS[type],
    target: sessionId,
    outcome: "ok",
    detail: { ...(actor?.channel ? { channel: actor.channel } : {}), ...detail },
  };
}

/**
 * The row of one account action: the account is the target, except for a sign-in, whose rows
 * name none (as a refused one, which has no account to name, never did).
 */
export function accountAuditEntry({ type, userId, actor, detail }: AccountAction): AuditEntry {
  return {
    actor: actor?.username ?? null,
    clientIp: actor?.address ?? null,
    action: ACCOUNT_AUDIT_ACTIONS[type],
    target: type === "account.signed_in" ? null : userId,
    outcome: "ok",
    detail,
  };
}

/** The row of one provider change: the provider is the target. */
export function providerAuditEntry({ providerId, actor, detail }: ProviderAction): AuditEntry {
  return {
    actor: actor?.username ?? null,
    clientIp: actor?.address ?? null,
    action: "provider.update",
    target: providerId,
    outcome: "ok",
    detail,
  };
}

/**
 * The row of one share-link action: the session is the target, the link's id is in `detail`
 * (never its token). An open has no actor, only the client's address.
 */
export function shareAuditEntry({
  type,
  sessionId,
  shareId,
  actor,
  address,
  detail,
}: ShareAction): AuditEntry {
  return {
    actor: actor?.username ?? null,
    clientIp: address,
    action: SHARE_AUDIT_ACTIONS[type],
    target: sessionId,
    outcome: type === "share.refused" ? "denied" : "ok",
    detail: { ...(shareId ? { shareId } : {}), ...detail },
  };
}

/** The row of any action the domain reports. */
export function auditEntryOf(action: DomainAction): AuditEntry {
  if ("shareId" in action) return shareAuditEntry(action);
  if ("userId" in action) return accountAuditEntry(action);
  if ("providerId" in action) return providerAuditEntry(action);
  return sessionAuditEntry(action);
}

export function createAuditRecorder({ append, onError }: AuditRecorderDeps): AuditRecorder {
  /** Rows being written; each removes itself when done. */
  const writing = new Set<Promise<void>>();
  return {
    record(action) {
      const entry = auditEntryOf(action);
      const write = append(entry)
        .catch((error) => onError(error, `writing the audit row for ${entry.action}`))
        .finally(() => writing.delete(write));
      writing.add(write);
    },
    async settled(timeoutMs = AUDIT_SETTLE_MS) {
      if (writing.size === 0) return;
      let timer: Timer | undefined;
      const late = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      });
      await Promise.race([Promise.all(writing), late]);
      clearTimeout(timer);
    },
  };
}
