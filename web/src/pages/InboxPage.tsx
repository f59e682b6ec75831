// The attention inbox: sessions waiting on a prompt (oldest first) with the prompt's options as
// buttons, then sessions whose turn is done; each opens its session. Viewers cannot answer.
import type { Session } from "../../../src/protocol/session.ts";
import { ErrorAlert } from "../components/ErrorAlert.tsx";
import { SessionMeta, sessionTitle } from "../components/SessionList.tsx";
import { ago } from "../components/time.ts";
import { useStores } from "../stores.ts";

export function InboxPage() {
  const { inbox, router, prefs } = useStores();
  const waiting = inbox.waiting.value;
  const done = inbox.done.value;
  const failure = inbox.failure.value;
  const open = (id: string) => {
    prefs.openTab(id);
    router.navigate(`/s/${id}`);
  };
  // A refused answer whose entry has left the inbox is reported above the list.
  const stray = failure && !waiting.some((s) => s.id === failure.sessionId) ? failure : null;
  return (
    <main class="page inbox">
      <div class="page-head">
        <h2>Inbox</h2>
        <a
          href="/notifications"
          onClick={(event) => {
            event.preventDefault();
            router.navigate("/notifications");
          }}
        >
          Notification settings
        </a>
      </div>
      {stray && (
        <p class="error notice" role="alert">
          {stray.message}
          <button type="button" onClick={() => open(stray.sessionId)}>
            Open
          </button>
        </p>
      )}
      {waiting.length === 0 && done.length === 0 && (
        <p class="muted">Nothing needs you. Sessions that ask something show up here.</p>
      )}
      {waiting.length > 0 && (
        <section aria-labelledby="inbox-waiting">
          <h3 id="inbox-waiting">Waiting for you</h3>
          <ul class="inbox-list">
            {waiting.map((session) => (
              <WaitingEntry key={session.id} session={session} onOpen={() => open(session.id)} />
            ))}
          </ul>
        </section>
      )}
      {done.length > 0 && (
        <section aria-labelledby="inbox-done">
          <h3 id="inbox-done">Done</h3>
          <ul class="inbox-list">
            {done.map((session) => (
              <DoneEntry key={session.id} session={session} onOpen={() => open(session.id)} />
            ))}
          </ul>
        </section>
      )}
    </main>
  );
}

function WaitingEntry({ session, onOpen }: { session: Session; onOpen: () => void }) {
  const { inbox, auth, clock } = useStores();
  const activity = session.activity;
  const prompt = activity?.prompt;
  if (!activity || !prompt) return null;
  const viewer = auth.user.value?.role !== "admin";
  const sending = inbox.answering.value.has(prompt.fingerprint);
  const failure = inbox.failure.value?.sessionId === session.id ? inbox.failure.value : null;
  return (
    <li class="card inbox-entry" data-session={session.id} aria-label={sessionTitle(session)}>
      <div class="row-top">
        <span class="session-name">{sessionTitle(session)}</span>
        <span class="quiet" title={activity.since}>
          {ago(activity.since, clock.now.value)} ago
        </span>
      </div>
      <p class="prompt-text">{prompt.text}</p>
      {prompt.detail && <pre class="prompt-detail">{prompt.detail}</pre>}
      <ErrorAlert text={failure?.message} />
      <div class="inbox-actions">
        {prompt.options.map((option, index) => (
          <button
            key={index}
            type="button"
            class="option"
            disabled={viewer || sending}
            onClick={() => void inbox.answer(session, index)}
          >
            {option.label}
          </button>
        ))}
        <span class="spacer" />
        <button type="button" onClick={onOpen}>
          Open
        </button>
      </div>
      {prompt.options.length === 0 && <p class="quiet">Answer it in the terminal.</p>}
      {viewer && prompt.options.length > 0 && <p class="quiet">Viewers cannot answer.</p>}
      {sending && (
        <p class="quiet" role="status">
          Answer sent…
        </p>
      )}
    </li>
  );
}

function DoneEntry({ session, onOpen }: { session: Session; onOpen: () => void }) {
  const { clock } = useStores();
  const since = session.activity?.since ?? session.createdAt;
  return (
    <li class="card inbox-entry done" data-session={session.id} aria-label={sessionTitle(session)}>
      <div class="row-top">
        <span class="session-name">{sessionTitle(session)}</span>
        <span class="quiet" title={since}>
          done {ago(since, clock.now.value)} ago
        </span>
        <button type="button" onClick={onOpen}>
          Open
        </button>
      </div>
      <SessionMeta session={session} />
    </li>
  );
}
