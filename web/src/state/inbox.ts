// The attention inbox: the live sessions waiting on a prompt (oldest first), then those whose
// turn is done, and answering a prompt from there. An answer is sent once: when the prompt has
// changed meanwhile the server types nothing and says so, and the user opens the session.
import { computed, signal } from "@preact/signals";
import type { ActivityState } from "../../../src/protocol/attention.ts";
import type { Session } from "../../../src/protocol/session.ts";
import { type ApiClient, ApiError, errorMessage } from "../api/http.ts";
import type { SessionsStore } from "./sessions.ts";

export const PROMPT_CHANGED = "That prompt changed; open the session";

/** Why an answer sent from the inbox did not go through, for the session it was meant for. */
export interface AnswerFailure {
  sessionId: string;
  message: string;
}

export function createInboxStore(api: ApiClient, sessions: SessionsStore) {
  const inState = (state: ActivityState) =>
    computed(() =>
      sessions.sessions.value
        .filter((s) => s.activity?.state === state)
        .sort((a, b) => (a.activity?.since ?? "").localeCompare(b.activity?.since ?? "")),
    );
  const waiting = inState("waiting");
  const done = inState("done");
  /** Fingerprints of the prompts answered from here, until the answer leaves the inbox. */
  const answering = signal<ReadonlySet<string>>(new Set());
  const failure = signal<AnswerFailure | null>(null);

  return {
    waiting,
    done,
    answering,
    failure,
    /** Answer `session`'s waiting prompt with its option `option`. */
    async answer(session: Session, option: number) {
      const prompt = session.activity?.prompt;
      if (!prompt) return;
      failure.value = null;
      const waitingNow = new Set(waiting.value.map((s) => s.activity?.prompt?.fingerprint));
      answering.value = new Set(
        [...answering.value, prompt.fingerprint].filter((f) => waitingNow.has(f)),
      );
      try {
        // The entry leaves once the activity event says the prompt is gone.
        await api.answer(session.id, prompt.fingerprint, option);
      } catch (e) {
        const next = new Set(answering.value);
        next.delete(prompt.fingerprint);
        answering.value = next;
        const changed = e instanceof ApiError && e.code === "prompt_changed";
        failure.value = {
          sessionId: session.id,
          message: changed ? PROMPT_CHANGED : errorMessage(e),
        };
      }
    },
  };
}

export type InboxStore = ReturnType<typeof createInboxStore>;
