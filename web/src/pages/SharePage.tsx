// What a share link opens, without an account: the one session's name, state and terminal,
// read-only (no keys, no resize), and nothing else of the server. A `recording` link plays the
// session's recording in the Replay dialog's player (no download offered); a session without one
// shows the output kept when the page opened, in the terminal, and says so. Once the link is
// revoked or expires (the stream closes with 4403, or a request answers 404), the page says so
// and the terminal or player goes.
import { useSignal } from "@preact/signals";
import { useEffect, useMemo } from "preact/hooks";
import type { Session } from "../../../src/protocol/session.ts";
import { ApiError, errorMessage } from "../api/http.ts";
import { fetchSharedCast, shareStreamPath } from "../api/share.ts";
import { ReplayPlayerView } from "../components/ReplayPlayerView.tsx";
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
  /** A recording link's page: the player, or the kept output when the session has no recording. */
  const playback = useSignal<"player" | "kept">("player");
  const failure = useSignal("");
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
  const player = recording && playback.value === "player";
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
          {player
            ? "Recording"
            : recording
              ? "Recording: the output up to when this page opened"
              : "Live"}{" "}
          · read-only
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
      {failure.value && (
        <p class="error pad" role="alert">
          {failure.value}
        </p>
      )}
      {player ? (
        <div class="share-player" data-testid="share-player">
          <ReplayPlayerView
            load={() => fetchSharedCast(sessionId, token)}
            fontSize={prefs.fontSize.value}
            autoplay={false}
            onFailure={(error) => {
              if (error instanceof ApiError && error.code === "recording_not_found") {
                playback.value = "kept";
              } else if (error instanceof ApiError && error.status === 404) {
                view.ended();
              } else {
                failure.value = errorMessage(error);
              }
            }}
          />
        </div>
      ) : (
        <>
          {recording && (
            <p class="quiet pad" role="note">
              This session has no recording: here is the output kept when this page opened.
            </p>
          )}
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
        </>
      )}
    </main>
  );
}
