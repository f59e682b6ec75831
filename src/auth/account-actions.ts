// What happened to an account, and who or what caused it: the domain events the audit log is
// written from (server.ts subscribes it), as src/sessions/session-actions.ts does for sessions.
// Refused attempts change nothing and emit nothing; the HTTP audit middleware records those.

import type { Actor } from "../cause.ts";

export type AccountActionType =
  | "account.signed_in"
  | "account.signed_out"
  | "account.setup"
  | "account.password_changed"
  | "account.created"
  | "account.deleted";

/** One thing that happened to the account `userId`. */
export interface AccountAction {
  type: AccountActionType;
  userId: string;
  /** Null when the server acted by itself (ADMIN_USERNAME at start): `detail.reason` says why. */
  actor: Actor | null;
  detail: Record<string, unknown>;
}
