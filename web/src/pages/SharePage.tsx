// What a share link opens, without an account: the one session's name, state and terminal,
// read-only (no keys, no resize), and nothing else of the server. Once the link is revoked or
// expires (the stream closes with 4403, or cannot open and the summary answers 404), the page
// says so and the terminal goes.
import { useSignal } from "@preact/signals";
import { useEffect, useMemo } from "preact/hooks";
import type { Session } from "../../../src/protocol/session.ts";
import { shareStreamPath } from "../api/share.ts";
import { StatePill } from "../components/StatePill.tsx";
import { createSharedViewStore } from "../state/shared-view.ts";
import { useStores } from "../stores.ts";
import { TerminalView } from "../terminal/TerminalView.tsx";
import type { TerminalController } from "../terminal/terminal-controller.ts";

export function SharePage({ sessionId, token }: { sessionId: string; token: string }) {
  const { prefs, clock } = useStores();
  const view = useMemo(() => createSharedViewStore(sessionId, token), [sessionId, token]);
  const terminal = useSignal<TerminalController | null>(null);
  /** The session as the stream last described it (without its private details). */
  const live = useSignal<Session | null>(null);
  useEffect(() => {
    void view.check();
  }, [view]);

  const summary = view.session.value;
  const status = terminal.value?.status.value;
  const gone = view.state.value === "gone" || status === "revoked";
  // Sticky: the terminal that reported it goes with the page it was on.
  useEffect(() => {
    if (status === "revoked") view.ended();
  }, [status]);
  useEffect(() => {
    document.title = summary
      ? `${summary.name || summary.provider} (shared) — OpenDray`
      : "OpenDray";
  }, [summary?.name]);

  if (gone) {
    return (
      <main class="share-page share-gone">
        <p class="brand">OpenDray</p>
        <div role="alert">
          <h1>This link was revoked or has expired</h1>
          <p class="muted">Ask whoever shared it for a new one.</p>
        </div>
      </main>
    );
  }
  if (view.state.value === "unreachable") {
    return (
      <main class="share-page share-gone">
        <p class="brand">OpenDray</p>
        <p role="alert">The server cannot be reached: {view.problem.value}</p>
        <button type="button" onClick={() => void view.check()}>
          Try again
        </button>
      </main>
    );
  }
  if (!summary) {
    return (
      <p class="muted pad connecting" role="status">
        Loading…
      </p>
    );
  }
  const recording = summary.mode === "recording";
  return (
    <main class="share-page">
      <header class="share-head">
        <span class="brand">OpenDray</span>
        <h1>{summary.name || summary.provider}</h1>
        {live.value ? (
          <StatePill session={live.value} now={clock.now.value} />
        ) : (
          <span class={`pill pill-${summary.state}`}>{summary.state}</span>
        )}
        <span class="quiet">
          {recording ? "Recording: the output up to when this page opened" : "Live"} · read-only
        </span>
        {status === "reconnecting" && (
          <span class="quiet" role="status">
            reconnecting…
          </span>
        )}
        {status === "ended" && (
          <span class="quiet" role="status">
            {recording ? "End of the recording" : "The session has ended"}
          </span>
        )}
        <span class="spacer" />
        <span class="quiet">Link expires {new Date(summary.expiresAt).toLocaleString()}</span>
      </header>
      <div class="terminals share-terminal">
        <TerminalView
          sessionId={summary.id}
          streamPath={shareStreamPath(sessionId, token)}
          readOnly
          fontSize={prefs.fontSize.value}
          visible
          keyboardInset={0}
          onController={(controller) => {
            terminal.value = controller;
          }}
          onRefused={() => void view.check({ whileOpen: true })}
          onSession={(session) => {
            live.value = session;
          }}
        />
      </div>
    </main>
  );
}
