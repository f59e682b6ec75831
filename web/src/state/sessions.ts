// The sessions list, kept live from the events socket, with the actions of the workbench and
// "needs attention": a session that went idle (waiting for its user) while not being looked at.
import { computed, signal } from "@preact/signals";
import type { LifecycleEvent } from "../../../src/protocol/events.ts";
import { LIVE_STATES, type Session } from "../../../src/protocol/session.ts";
import type { ApiClient, NewSession } from "../api/http.ts";

export interface SessionsOptions {
  /** A session went idle while the user was not watching it. */
  onAttention?: (session: Session) => void;
}

export function createSessionsStore(api: ApiClient, options: SessionsOptions = {}) {
  const byId = signal<ReadonlyMap<string, Session>>(new Map());
  const loaded = signal(false);
  const attention = signal<ReadonlySet<string>>(new Set());
  /** The session on screen (its going idle needs no badge while the page is visible). */
  const watching = signal<string | null>(null);
  const sessions = computed(() =>
    [...byId.value.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt)),
  );

  const put = (session: Session) => {
    const previous = byId.value.get(session.id);
    byId.value = new Map(byId.value).set(session.id, session);
    const becameIdle =
      session.state === "idle" && previous !== undefined && previous.state !== "idle";
    const seen = watching.value === session.id && document.visibilityState === "visible";
    if (becameIdle && !seen) {
      attention.value = new Set(attention.value).add(session.id);
      options.onAttention?.(session);
    } else if (session.state === "running" && attention.value.has(session.id)) {
      clear(session.id);
    }
  };
  const drop = (id: string) => {
    const next = new Map(byId.value);
    next.delete(id);
    byId.value = next;
    clear(id);
  };
  const clear = (id: string) => {
    if (!attention.value.has(id)) return;
    const next = new Set(attention.value);
    next.delete(id);
    attention.value = next;
  };

  return {
    sessions,
    byId,
    loaded,
    attention,
    watching,
    async load() {
      const list = await api.sessions();
      byId.value = new Map(list.map((s) => [s.id, s]));
      loaded.value = true;
    },
    apply(event: LifecycleEvent) {
      if (event.type === "session.deleted") drop(event.session.id);
      else put(event.session);
    },
    /** The user looks at `id` now (null: at none). */
    watch(id: string | null) {
      watching.value = id;
      if (id) clear(id);
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
    async remove(id: string) {
      await api.deleteSession(id);
      drop(id);
    },
  };
}

export type SessionsStore = ReturnType<typeof createSessionsStore>;

export const isLive = (session: Session) => LIVE_STATES.includes(session.state);
