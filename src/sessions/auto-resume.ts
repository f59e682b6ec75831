// RESUME_ON_START: at start-up, restart the sessions that were interrupted (the machine rebooted,
// the server or the PTY host died) and whose CLI pinned a conversation, so that each continues
// with the CLI's own resume — at most `limit` starting at a time, in the background.

import type { Session } from "../protocol/session.ts";
import type { SessionManager } from "./manager.ts";

/** Only recent interruptions are resumed: older ones stay as the user left them. */
export const RESUME_WITHIN_MS = 24 * 3_600_000;

/**
 * Sessions to resume: interrupted, with a conversation id, ended within RESUME_WITHIN_MS of
 * `nowMs`, and not yet continued by another session (none has it as parent), so each is
 * resumed once.
 */
export function resumable(sessions: readonly Session[], nowMs: number): Session[] {
  const continued = new Set(sessions.map((session) => session.parentSessionId));
  return sessions.filter(
    (session) =>
      session.state === "interrupted" &&
      session.conversationId !== null &&
      !continued.has(session.id) &&
      session.endedAt !== null &&
      nowMs - Date.parse(session.endedAt) <= RESUME_WITHIN_MS,
  );
}

/**
 * Restart every session of `interrupted` that has a conversation id, `limit` at a time.
 * Resolves with the new sessions once all have been tried; failures go to `onError`.
 */
export async function resumeInterrupted(
  manager: SessionManager,
  interrupted: readonly Session[],
  limit: number,
  onError: (error: unknown, context: string) => void,
): Promise<Session[]> {
  const queue = interrupted.filter((session) => session.conversationId !== null);
  const resumed: Session[] = [];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      try {
        resumed.push(await manager.restart(next.id, next.createdBy, { reason: "server_start" }));
      } catch (error) {
        onError(error, `resuming session ${next.id}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, limit) }, worker));
  return resumed;
}
