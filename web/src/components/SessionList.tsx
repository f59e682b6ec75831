// The sessions list: name, activity (needs you, done, working), state pill, provider, working
// directory and age; a restarted session says what it was restarted as. Admins can clear the
// finished sessions at once, after a confirmation that counts them.
import { useSignal } from "@preact/signals";
import type { ComponentChildren } from "preact";
import type { Session } from "../../../src/protocol/session.ts";
import { clearEnded, isFinished } from "../state/clear-ended.ts";
import { useStores } from "../stores.ts";
import { ActivityBadge } from "./ActivityBadge.tsx";
import { ConfirmDialog } from "./Dialog.tsx";
import { StatePill } from "./StatePill.tsx";
import { ago } from "./time.ts";

export const sessionTitle = (session: Session) => session.name || session.provider;

/** The line under a session's name in a list: its provider and folder, then `children`. */
export function SessionMeta({
  session,
  children,
}: {
  session: Session;
  children?: ComponentChildren;
}) {
  return (
    <span class="row-meta">
      <span class="provider">{session.provider}</span>
      <span class="cwd" title={session.cwd}>
        {session.cwd}
      </span>
      {children}
    </span>
  );
}

export function SessionList({ activeId }: { activeId: string | null }) {
  const { sessions, router, clock, prefs, auth } = useStores();
  const confirming = useSignal(false);
  const outcome = useSignal("");
  const list = sessions.sessions.value;
  const now = clock.now.value;
  if (!sessions.loaded.value) return <p class="muted pad">Loading sessions…</p>;
  if (list.length === 0) return <p class="muted pad">No sessions yet. Start one with “New”.</p>;
  const readOnly = auth.user.value?.role !== "admin";
  const finished = list.filter(isFinished);
  /** Restarted sessions, by the id of the session they replace. */
  const restartedAs = new Map<string, Session>();
  for (const session of list) {
    if (session.parentSessionId) restartedAs.set(session.parentSessionId, session);
  }
  const clear = async () => {
    const ids = finished.map((session) => session.id);
    const result = await clearEnded(sessions, ids, (id) => {
      prefs.closeTab(id);
      if (id === activeId) router.navigate("/");
    });
    outcome.value = result.error
      ? `Deleted ${result.removed} of ${ids.length}; the rest stayed: ${result.error}`
      : "";
  };
  const plural = (n: number) => `${n} finished session${n === 1 ? "" : "s"}`;
  return (
    <>
      {!readOnly && finished.length > 0 && (
        <div class="list-tools">
          <span class="quiet">{plural(finished.length)}</span>
          <button type="button" onClick={() => (confirming.value = true)}>
            Clear ended
          </button>
        </div>
      )}
      {outcome.value && (
        <p class="error pad small" role="alert">
          {outcome.value}
        </p>
      )}
      <ul class="session-list" aria-label="Sessions">
        {list.map((session) => {
          const successor = restartedAs.get(session.id);
          return (
            <li key={session.id}>
              <a
                href={`/s/${session.id}`}
                class={`session-row${session.id === activeId ? " active" : ""}${successor ? " superseded" : ""}`}
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
                {successor && (
                  <span class="restarted-as" data-testid="restarted-as">
                    restarted as {sessionTitle(successor)}
                  </span>
                )}
                <SessionMeta session={session}>
                  <span class="age" title={session.createdAt}>
                    {ago(session.createdAt, now)}
                  </span>
                </SessionMeta>
              </a>
            </li>
          );
        })}
      </ul>
      {confirming.value && (
        <ConfirmDialog
          title="Clear ended sessions?"
          body={`${plural(finished.length)} (stopped, ended, failed or interrupted) and their scrollback will be deleted. Running sessions stay.${keptWorktrees(finished)}`}
          action={`Delete ${finished.length}`}
          danger
          onConfirm={clear}
          onClose={() => (confirming.value = false)}
        />
      )}
    </>
  );
}

/** What the confirm says of the git worktrees of `finished` sessions: they stay on disk. */
function keptWorktrees(finished: Session[]): string {
  const count = finished.filter((session) => session.worktree).length;
  if (count === 0) return "";
  return count === 1
    ? " One of them runs in a git worktree: the worktree and its branch are kept."
    : ` ${count} of them run in git worktrees: the worktrees and their branches are kept.`;
}
