// SessionError: what the sessions layer refuses, and why, in its own terms. The transports give
// each kind its status and wire code (src/http/session-errors.ts); sessions/ knows neither.

/**
 * - `not_found`: no session has that id;
 * - `not_running`: the session's process has exited (or never started);
 * - `input_full`: more than the session's input budget waits for the program to read it;
 * - `cwd_invalid`: the working directory asked for is not an absolute path to a folder;
 * - `parent_not_found`: the parent session named does not exist;
 * - `since_invalid`: an output offset past the end of the output;
 * - `option_invalid`: the prompt has no such option;
 * - `prompt_changed`: the prompt answered is no longer the one waiting;
 * - `screen_not_ready`: the session's screen is still catching up;
 * - `no_recording`: the session has no recording (recording was off, or it predates recordings);
 * - `store_unavailable`: the session's row could not be stored now (the state waits and is retried).
 */
export type SessionErrorKind =
  | "not_found"
  | "not_running"
  | "input_full"
  | "cwd_invalid"
  | "parent_not_found"
  | "since_invalid"
  | "option_invalid"
  | "prompt_changed"
  | "screen_not_ready"
  | "no_recording"
  | "store_unavailable";

export class SessionError extends Error {
  constructor(
    readonly kind: SessionErrorKind,
    /** For people: what was refused, with the detail that explains it. */
    message: string,
  ) {
    super(message);
    this.name = "SessionError";
  }
}
