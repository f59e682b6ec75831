// The sessions list, kept live from the events socket (lifecycle and activity), with the
// actions of the workbench, and word when a session needs its user: it starts waiting on a
// prompt, or finishes a turn, while not being looked at.
import { computed, signal } from "@preact/signals";
import type { LifecycleEvent } from "../../../src/protocol/events.ts";
import { LIVE_STATES, type Session } from "../../../src/protocol/session.ts";
import type { ApiClient, NewSession } from "../api/http.ts";

export interface SessionsOptions {
  /** A session started waiting on a new prompt, or finished a turn, while not watched. */
  onAttention?: (session: Session) => void;
}

/** What makes an activity news: its prompt's fingerprint, or the moment a turn was done. */
function attentionKey(session: Session): string | null {
  const activity = session.activity;
  if (activity?.state === "waiting" && activity.prompt) return activity.prompt.fingerprint;
  if (activity?.state === "done") return `done@${activity.since}`;
  return null;
}

export function createSessionsStore(api: ApiClient, options: SessionsOptions = {}) {
  const byId = signal<ReadonlyMap<string, Session>>(new Map());
  const loaded = signal(false);
  /** The session on screen (what it asks needs no notification while the page is visible). */
  const watching = signal<string | null>(null);
  /**
   * Per session, the last attention key announced or seen: the stream's older copies of a
   * session (hello, state) may put an activity back, and that is not news twice.
   */
  const announced = new Map<string, string>();
  /**
   * While a list loads, each session an event told of since (null: deleted): newer than the
   * list, which the server may have read before the event (another tab relays events late).
   */
  let heardWhileLoading: Map<string, Session | null> | undefined;
  const sessions = computed(() =>
    [...byId.value.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt)),
  );

  /** `session` arrived; `known`: it was in the list before (one first heard of is not news). */
  const announce = (session: Session, known: boolean) => {
    const key = attentionKey(session);
    if (key === null || announced.get(session.id) === key) return;
    announced.set(session.id, key);
    const seen = watching.value === session.id && document.visibilityState === "visible";
    if (known && !seen) options.onAttention?.(session);
  };
  const put = (session: Session) => {
    const known = byId.value.has(session.id);
    byId.value = new Map(byId.value).set(session.id, session);
    announce(session, known);
  };
  const drop = (id: string) => {
    const next = new Map(byId.value);
    next.delete(id);
    byId.value = next;
    announced.delete(id);
  };

  return {
    sessions,
    byId,
    loaded,
    watching,
    async load() {
      const heard = new Map<string, Session | null>();
      heardWhileLoading = heard;
      let list: Session[];
      try {
        list = await api.sessions();
      } finally {
        if (heardWhileLoading === heard) heardWhileLoading = undefined;
      }
      const before = byId.value;
      const next = new Map(list.map((s) => [s.id, s]));
      for (const [id, session] of heard) {
        if (session) next.set(id, session);
        else next.delete(id);
      }
      byId.value = next;
      // After a reconnect, what changed meanwhile is news; on the first load nothing is.
      for (const session of list) announce(session, before.has(session.id));
      loaded.value = true;
    },
    apply(event: LifecycleEvent) {
      const deleted = event.type === "session.deleted";
      heardWhileLoading?.set(event.session.id, deleted ? null : event.session);
      if (deleted) drop(event.session.id);
      else put(event.session);
    },
    /** The user looks at `id` now (null: at none). */
    watch(id: string | null) {
      watching.value = id;
    },
    update: put,
    async create(body: NewSession) {
      const session = await api.createSession(body);
      put(session);
      return session;
    },
    async rename(id: string, name: string) {
      put(await api.renameSession(id, name));
    },
    async stop(id: string) {
      put(await api.stopSession(id));
    },
    async restart(id: string) {
      const session = await api.restartSession(id);
      put(session);
      return session;
    },
    /** Delete `id`; what became of its worktree, if it had one (kept unless "remove"). */
    async remove(id: string, worktree?: "keep" | "remove") {
      const deleted = await api.deleteSession(id, worktree);
      drop(id);
      return deleted;
    },
  };
}

export type SessionsStore = ReturnType<typeof createSessionsStore>;

export const isLive = (session: Session) => LIVE_STATES.includes(session.state);
