// "Clear ended": delete every finished session (stopped, ended, failed, interrupted) one by one
// through DELETE /sessions/:id, stopping at the first refusal (the session-ops rate limit lets
// ten through a minute by default) so that the user hears how far it got.
import type { Session } from "../../../src/protocol/session.ts";
import { ApiError, errorMessage } from "../api/http.ts";
import { isLive, type SessionsStore } from "./sessions.ts";

export const isFinished = (session: Session) => !isLive(session);

export interface ClearResult {
  removed: number;
  /** Why the rest stayed, or null when every one went. */
  error: string | null;
}

/** Delete the sessions `ids` in order; `onRemoved` runs after each (to close its tab). */
export async function clearEnded(
  sessions: Pick<SessionsStore, "remove">,
  ids: readonly string[],
  onRemoved: (id: string) => void,
): Promise<ClearResult> {
  let removed = 0;
  for (const id of ids) {
    try {
      await sessions.remove(id);
    } catch (error) {
      // Deleted meanwhile (another tab): gone all the same.
      if (!(error instanceof ApiError && error.status === 404)) {
        return { removed, error: errorMessage(error) };
      }
    }
    removed++;
    onRemoved(id);
  }
  return { removed, error: null };
}
