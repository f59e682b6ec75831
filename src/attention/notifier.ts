// From activity changes to notices: a session that starts waiting on a prompt, or whose turn is
// done, is told to every channel (Web Push, Telegram) once. A prompt a hook announced before the
// screen showed its options waits up to OPTIONS_WAIT_MS for them, so that the notice can carry
// them as answers; a new prompt in the same wait is a new notice.

import type { LifecycleEvent } from "../protocol/events.ts";
import type { NotifyActivity } from "../protocol/push.ts";
import type { Session } from "../protocol/session.ts";

/** How long a notice of a prompt without options waits for the screen to show them. */
export const OPTIONS_WAIT_MS = 1000;

export interface Notice {
  kind: NotifyActivity;
  /** The session as it was when the notice was made (its activity holds the prompt). */
  session: Session;
}

export interface NoticeChannel {
  /** Deliver `notice`; errors are the channel's own business (it never throws). */
  deliver(notice: Notice): Promise<void>;
}

export interface NotifierOptions {
  onEvent: (listener: (event: LifecycleEvent) => void) => () => void;
  channels: readonly NoticeChannel[];
  /** Told when a notice leaves for the channels (the benchmark times it). */
  onNotice?: (notice: Notice) => void;
}

interface Told {
  state: string | undefined;
  /** The wait (its `since`) and the prompts (fingerprints) already told. */
  waitSince: string | undefined;
  fingerprints: Set<string>;
  pending: Timer | undefined;
}

export function createNotifier(options: NotifierOptions): { dispose(): void } {
  const told = new Map<string, Told>();

  const send = (notice: Notice) => {
    options.onNotice?.(notice);
    for (const channel of options.channels) void channel.deliver(notice);
  };

  const onActivity = (session: Session) => {
    const activity = session.activity;
    if (!activity) return;
    let entry = told.get(session.id);
    if (!entry) {
      entry = {
        state: undefined,
        waitSince: undefined,
        fingerprints: new Set(),
        pending: undefined,
      };
      told.set(session.id, entry);
    }
    const previous = entry.state;
    entry.state = activity.state;
    if (activity.state !== "waiting") {
      clearTimeout(entry.pending);
      entry.pending = undefined;
      entry.fingerprints.clear();
      entry.waitSince = undefined;
      if (activity.state === "done" && previous !== "done") send({ kind: "done", session });
      return;
    }
    const prompt = activity.prompt;
    if (!prompt || entry.fingerprints.has(prompt.fingerprint)) return;
    if (prompt.options.length > 0) {
      clearTimeout(entry.pending);
      entry.pending = undefined;
      entry.fingerprints.add(prompt.fingerprint);
      entry.waitSince = activity.since;
      send({ kind: "waiting", session });
      return;
    }
    // Told of this wait already, or about to be: the options may still come.
    if (entry.waitSince === activity.since || entry.pending) return;
    const waiting = entry;
    entry.pending = setTimeout(() => {
      waiting.pending = undefined;
      waiting.fingerprints.add(prompt.fingerprint);
      waiting.waitSince = activity.since;
      send({ kind: "waiting", session });
    }, OPTIONS_WAIT_MS);
  };

  const forget = (id: string) => {
    clearTimeout(told.get(id)?.pending);
    told.delete(id);
  };

  const unsubscribe = options.onEvent((event) => {
    if (event.type === "session.activity") onActivity(event.session);
    else if (event.type === "session.exited" || event.type === "session.deleted") {
      forget(event.session.id);
    }
  });

  return {
    dispose() {
      unsubscribe();
      for (const id of [...told.keys()]) forget(id);
    },
  };
}

/** The words of a notice, the same on every channel. */
export function noticeText(notice: Notice): { title: string; body: string } {
  const name = notice.session.name;
  if (notice.kind === "done") return { title: `${name} is done`, body: "Its turn is over." };
  const prompt = notice.session.activity?.prompt;
  const body = [prompt?.text, prompt?.detail].filter(Boolean).join("\n");
  return { title: `${name} needs you`, body: body || "It is waiting for you." };
}
