// A recording played in the app's terminal (same font and colours): play/pause, speed (1×, 2×,
// 4×), a seek bar with the time, and a line when the recording stops before the session's end.
// Used by the Replay dialog and by a recording link's page; it never downloads anything itself
// beyond the asciicast `load` fetches, and it takes no input (the terminal's stdin is off).

import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import type { Cast } from "../api/recordings.ts";
import { REPLAY_SPEEDS, ReplayPlayer } from "../terminal/replay-player.ts";

const clock = (seconds: number) => {
  const whole = Math.floor(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
};

export interface ReplayPlayerViewProps {
  /** Fetches the recording; `key` the component on what it names to load another. */
  load: () => Promise<Cast>;
  fontSize: number;
  /** Start playing once loaded (the dialog does; a share page waits for Play). */
  autoplay: boolean;
  /** The recording could not be loaded. */
  onFailure: (error: unknown) => void;
}

export function ReplayPlayerView({ load, fontSize, autoplay, onFailure }: ReplayPlayerViewProps) {
  const host = useRef<HTMLDivElement>(null);
  const player = useSignal<ReplayPlayer | null>(null);

  useEffect(() => {
    let made: ReplayPlayer | undefined;
    let gone = false;
    load().then(
      (cast) => {
        if (gone || !host.current) return;
        made = new ReplayPlayer(cast, fontSize);
        made.mount(host.current);
        player.value = made;
        if (autoplay) made.play();
      },
      (error: unknown) => {
        if (!gone) onFailure(error);
      },
    );
    return () => {
      gone = true;
      made?.dispose();
    };
  }, []);

  const current = player.value;
  return (
    <>
      {current?.truncated && (
        <p class="muted">The recording stops before the session's end: {current.truncated}.</p>
      )}
      <div class="replay-screen" ref={host} data-testid="replay-screen" />
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
    </>
  );
}
