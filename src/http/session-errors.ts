// How a SessionError reaches an HTTP client: one row per kind, the status and the stable
// snake_case code (plus headers), rendered by the error handler like any AppError.

import { AppError, DATABASE_RETRY_AFTER_S, type ErrorStatus } from "../errors.ts";
import { SessionError, type SessionErrorKind } from "../sessions/session-error.ts";
import { WorktreeError, type WorktreeErrorKind } from "../worktrees/worktree-error.ts";

interface HttpRefusal {
  status: ErrorStatus;
  code: string;
  headers?: Record<string, string>;
}

/** The status and code each kind of SessionError is answered with. */
export const SESSION_ERROR_HTTP: Readonly<Record<SessionErrorKind, HttpRefusal>> = {
  not_found: { status: 404, code: "not_found" },
  not_running: { status: 409, code: "session_not_running" },
  input_full: { status: 429, code: "input_full", headers: { "Retry-After": "1" } },
  cwd_invalid: { status: 400, code: "cwd_invalid" },
  parent_not_found: { status: 400, code: "parent_not_found" },
  since_invalid: { status: 400, code: "since_invalid" },
  option_invalid: { status: 400, code: "option_invalid" },
  prompt_changed: { status: 409, code: "prompt_changed" },
  screen_not_ready: { status: 409, code: "screen_not_ready" },
  no_recording: { status: 404, code: "recording_not_found" },
  store_unavailable: {
    status: 503,
    code: "database_unavailable",
    headers: { "Retry-After": String(DATABASE_RETRY_AFTER_S) },
  },
};

/** The status each kind of WorktreeError is answered with; its code is its kind. */
export const WORKTREE_ERROR_STATUS: Readonly<Record<WorktreeErrorKind, ErrorStatus>> = {
  not_a_git_repository: 400,
  no_commits: 409,
  branch_invalid: 400,
  branch_exists: 409,
  worktree_exists: 409,
  worktree_dirty: 409,
  worktree_in_use: 409,
  git_failed: 500,
};

/**
 * `error` as the AppError it is answered with: a SessionError or WorktreeError mapped, anything
 * else as it is. A git failure is a 500 whose message (git's own) is the user's to read.
 */
export function asAppError(error: unknown): unknown {
  if (error instanceof WorktreeError) {
    return new AppError(WORKTREE_ERROR_STATUS[error.kind], error.kind, error.message);
  }
  if (!(error instanceof SessionError)) return error;
  const { status, code, headers = {} } = SESSION_ERROR_HTTP[error.kind];
  return new AppError(status, code, error.message, headers);
}
