// A finished session's recording played back in a dialog: the app's terminal (same font and
// colours), play/pause, speed (1×, 2×, 4×), a seek bar with the time, and the recording's
// downloads (.cast for asciinema, plain text). Pauses come capped by the server. For viewers too.

import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import type { Session } from "../../../src/protocol/session.ts";
import { errorMessage } from "../api/http.ts";
import { fetchCast, recordingUrl } from "../api/recordings.ts";
import { REPLAY_SPEEDS, ReplayPlayer } from "../terminal/replay-player.ts";

const clock = (seconds: number) => {
  const whole = Math.floor(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
};

export function ReplayDialog(props: { session: Session; fontSize: number; onClose: () => void }) {
  const { session, onClose } = props;
  const dialog = useRef<HTMLDialogElement>(null);
  const host = useRef<HTMLDivElement>(null);
  const player = useSignal<ReplayPlayer | null>(null);
  const failure = useSignal("");

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    let made: ReplayPlayer | undefined;
    let gone = false;
    fetchCast(session.id).then(
      (cast) => {
        if (gone || !host.current) return;
        made = new ReplayPlayer(cast, props.fontSize);
        made.mount(host.current);
        player.value = made;
        made.play();
      },
      (error: unknown) => {
        if (!gone) failure.value = errorMessage(error);
      },
    );
    return () => {
      gone = true;
      made?.dispose();
    };
  }, [session.id]);

  const current = player.value;
  return (
    <dialog
      ref={dialog}
      class="card dialog replay-dialog"
      aria-label="Replay"
      onClose={onClose}
      data-testid="replay-dialog"
    >
      <div class="replay-head">
        <h2>Replay</h2>
        <button type="button" class="replay-close" aria-label="Close replay" onClick={onClose}>
          ✕
        </button>
      </div>
      {failure.value && (
        <p class="error" role="alert">
          {failure.value}
        </p>
      )}
      {current?.truncated && (
        <p class="muted">The recording stops before the session's end: {current.truncated}.</p>
      )}
      <div class="replay-screen" ref={host} />
      {current && (
        <div class="replay-controls">
          <button
            type="button"
            class="primary"
            data-testid="replay-toggle"
            onClick={() => (current.playing.value ? current.pause() : current.play())}
          >
            {current.playing.value ? "Pause" : "Play"}
          </button>
          <input
            type="range"
            aria-label="Position"
            min={0}
            max={current.duration}
            step="any"
            value={current.position.value}
            onInput={(event) => current.seek(Number(event.currentTarget.value))}
          />
          <span class="replay-time muted">
            {clock(current.position.value)} / {clock(current.duration)}
          </span>
          <fieldset class="replay-speeds">
            <legend class="visually-hidden">Speed</legend>
            {REPLAY_SPEEDS.map((speed) => (
              <button
                type="button"
                key={speed}
                aria-pressed={current.speed.value === speed}
                onClick={() => current.setSpeed(speed)}
              >
                {speed}×
              </button>
            ))}
          </fieldset>
        </div>
      )}
      <p class="replay-downloads">
        <a href={recordingUrl(session.id, "cast")} download>
          Download .cast
        </a>
        <a href={recordingUrl(session.id, "txt")} download>
          Download text
        </a>
      </p>
    </dialog>
  );
}
