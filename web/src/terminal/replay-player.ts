// Plays a recording (an asciicast, its pauses already capped by the server) in the app's own
// xterm.js, framework-free: play, pause, speed, seek. A seek backwards resets the terminal and
// writes everything up to the new time at once; playing writes each animation frame's events.

import { signal } from "@preact/signals";
import { Unicode11Addon } from "@xterm/addon-unicode11";
import { Terminal } from "@xterm/xterm";
import type { Cast } from "../api/recordings.ts";
import { CspStyleBridge } from "./csp-styles.ts";
import { DARK, LIGHT, TERMINAL_FONT } from "./themes.ts";

export const REPLAY_SPEEDS = [1, 2, 4] as const;
export type ReplaySpeed = (typeof REPLAY_SPEEDS)[number];

const RESIZE = /^(\d+)x(\d+)$/;

export class ReplayPlayer {
  readonly playing = signal(false);
  /** Seconds into the recording. */
  readonly position = signal(0);
  readonly speed = signal<ReplaySpeed>(1);
  /** Seconds: the last event's time. */
  readonly duration: number;
  /** Why the recording stops before the session's end, when it does. */
  readonly truncated: string | undefined;

  private readonly term: Terminal;
  private styles: CspStyleBridge | undefined;
  // Invariant: the terminal shows every event before `next`, and none from it on.
  private next = 0;
  private frame = 0;
  private lastTick = 0;

  constructor(
    private readonly cast: Cast,
    fontSize: number,
  ) {
    this.duration = cast.events.at(-1)?.[0] ?? 0;
    this.truncated = cast.header.truncated
      ? (cast.header.truncated_reason ?? "truncated")
      : undefined;
    this.term = new Terminal({
      cols: cast.header.width,
      rows: cast.header.height,
      disableStdin: true,
      cursorBlink: false,
      fontFamily: TERMINAL_FONT,
      fontSize,
      scrollback: 1000,
      theme: matchMedia("(prefers-color-scheme: dark)").matches ? DARK : LIGHT,
      allowProposedApi: true,
    });
    // Character widths as the live terminal has them (emoji are two cells wide).
    this.term.loadAddon(new Unicode11Addon());
    this.term.unicode.activeVersion = "11";
  }

  mount(host: HTMLElement): void {
    this.term.open(host);
    this.styles = new CspStyleBridge(host);
    this.styles.sync();
  }

  play(): void {
    if (this.playing.value) return;
    if (this.position.value >= this.duration) this.seek(0);
    this.playing.value = true;
    this.lastTick = performance.now();
    this.frame = requestAnimationFrame(this.tick);
  }

  pause(): void {
    this.playing.value = false;
    cancelAnimationFrame(this.frame);
  }

  setSpeed(speed: ReplaySpeed): void {
    this.speed.value = speed;
  }

  /** Show the terminal as it was `seconds` into the recording. */
  seek(seconds: number): void {
    const to = Math.min(Math.max(0, seconds), this.duration);
    if (to < this.position.value) {
      this.term.reset();
      this.term.resize(this.cast.header.width, this.cast.header.height);
      this.next = 0;
    }
    this.advanceTo(to);
    this.position.value = to;
  }

  dispose(): void {
    this.pause();
    this.styles?.dispose();
    this.term.dispose();
  }

  private readonly tick = (now: number) => {
    const position = this.position.value + ((now - this.lastTick) / 1000) * this.speed.value;
    this.lastTick = now;
    this.advanceTo(position);
    this.position.value = Math.min(position, this.duration);
    if (position >= this.duration) this.playing.value = false;
    else this.frame = requestAnimationFrame(this.tick);
  };

  /** Write the events up to `seconds`, output gathered into one write between resizes. */
  private advanceTo(seconds: number): void {
    const { events } = this.cast;
    let text = "";
    for (; this.next < events.length; this.next++) {
      const [time, kind, data] = events[this.next] as Cast["events"][number];
      if (time > seconds) break;
      if (kind === "o") text += data;
      else if (kind === "r") {
        const size = RESIZE.exec(data);
        if (!size) continue;
        if (text) this.term.write(text);
        text = "";
        this.term.resize(Number(size[1]), Number(size[2]));
      }
    }
    if (text) this.term.write(text);
  }
}
