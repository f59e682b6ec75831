// A share link's page: the session's summary as the link shows it, and whether the link still
// opens. The stream (src/web terminal) reports revocation itself (4403); a stream that cannot
// open asks `check` to find out whether the link is gone or the network is.
import { signal } from "@preact/signals";
import type { SharedSession } from "../../../src/protocol/shares.ts";
import { ApiError, errorMessage } from "../api/http.ts";
import { fetchSharedSession } from "../api/share.ts";

/** `gone`: revoked, expired or never valid (the server does not say which). */
export type SharedViewState = "loading" | "open" | "gone" | "unreachable";

export function createSharedViewStore(sessionId: string, token: string) {
  const session = signal<SharedSession | null>(null);
  const state = signal<SharedViewState>("loading");
  const problem = signal("");
  /**
   * Ask the server whether the link still opens. `whileOpen`: the page is showing the session
   * (its stream could not reconnect): only a 404 ends it; a network failure leaves the
   * terminal to retry on its own.
   */
  const check = async ({ whileOpen = false } = {}) => {
    try {
      session.value = await fetchSharedSession(sessionId, token);
      state.value = "open";
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        state.value = "gone";
      } else if (!whileOpen) {
        state.value = "unreachable";
        problem.value = errorMessage(error);
      }
    }
  };
  return {
    session,
    state,
    problem,
    check,
    /** The stream said the link was revoked or has expired. */
    ended() {
      state.value = "gone";
    },
  };
}

export type SharedViewStore = ReturnType<typeof createSharedViewStore>;
