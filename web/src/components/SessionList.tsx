// The sessions list: name, activity (needs you, done, working), state pill, provider, working
// directory and age.
import type { Session } from "../../../src/protocol/session.ts";
import { useStores } from "../stores.ts";
import { ActivityBadge } from "./ActivityBadge.tsx";
import { StatePill } from "./StatePill.tsx";
import { ago } from "./time.ts";

export const sessionTitle = (session: Session) => session.name || session.provider;

export function SessionList({ activeId }: { activeId: string | null }) {
  const { sessions, router, clock, prefs } = useStores();
  const list = sessions.sessions.value;
  const now = clock.now.value;
  if (!sessions.loaded.value) return <p class="muted pad">Loading sessions…</p>;
  if (list.length === 0) return <p class="muted pad">No sessions yet. Start one with “New”.</p>;
  return (
    <ul class="session-list" aria-label="Sessions">
      {list.map((session) => (
        <li key={session.id}>
          <a
            href={`/s/${session.id}`}
            class={`session-row${session.id === activeId ? " active" : ""}`}
            aria-current={session.id === activeId ? "page" : undefined}
            onClick={(event) => {
              event.preventDefault();
              prefs.openTab(session.id);
              router.navigate(`/s/${session.id}`);
            }}
          >
            <span class="row-top">
              <span class="session-name">{sessionTitle(session)}</span>
              <ActivityBadge activity={session.activity} />
              <StatePill session={session} now={now} />
            </span>
            <span class="row-meta">
              <span class="provider">{session.provider}</span>
              <span class="cwd" title={session.cwd}>
                {session.cwd}
              </span>
              <span class="age" title={session.createdAt}>
                {ago(session.createdAt, now)}
              </span>
            </span>
          </a>
        </li>
      ))}
    </ul>
  );
}
