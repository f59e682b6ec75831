// What a terminal shows and how it will treat the next keys: the screen text of both buffers,
// which one is active, the modes, the cursor and the scroll region, read from an @xterm/headless
// terminal. Tests compare a viewer that attached late with one that watched from the start.

import type { Terminal } from "@xterm/headless";

export interface TerminalState {
  buffer: "normal" | "alternate";
  /** The active buffer's visible rows, trailing spaces trimmed. */
  screen: string[];
  /** The normal buffer's last rows (the screen and the scrollback just above it). */
  normalTail: string[];
  modes: Terminal["modes"];
  cursor: { x: number; y: number; hidden: boolean; style: string | undefined };
  mouseEncoding: string;
  scrollRegion: [number, number];
}

interface Core {
  coreService: { isCursorHidden: boolean; decPrivateModes: { cursorStyle?: string } };
  coreMouseService: { activeEncoding: string };
  buffer: { scrollTop: number; scrollBottom: number };
}

/** Parse everything written so far, then read the state. */
export async function terminalState(term: Terminal, tailRows = 10): Promise<TerminalState> {
  await new Promise<void>((resolve) => term.write("", resolve));
  const core = (term as unknown as { _core: Core })._core;
  const active = term.buffer.active;
  const rows = (buffer: typeof active, from: number, count: number) => {
    const lines: string[] = [];
    for (let row = from; row < from + count; row++) {
      lines.push(buffer.getLine(row)?.translateToString(true) ?? "");
    }
    return lines;
  };
  const normal = term.buffer.normal;
  const normalEnd = normal.baseY + term.rows;
  return {
    buffer: active.type,
    screen: rows(active, active.baseY, term.rows),
    normalTail: rows(normal, Math.max(0, normalEnd - tailRows), Math.min(tailRows, normalEnd)),
    modes: { ...term.modes },
    cursor: {
      x: active.cursorX,
      y: active.cursorY,
      hidden: core.coreService.isCursorHidden,
      style: core.coreService.decPrivateModes.cursorStyle,
    },
    mouseEncoding: core.coreMouseService.activeEncoding,
    scrollRegion: [core.buffer.scrollTop, core.buffer.scrollBottom],
  };
}

/**
 * Output of a full-screen program that sets every mode a returning viewer must get back, draws
 * a header once, then frames below it (each about 1 KiB at 80 columns).
 */
export function tuiOutput(): { setup: string; frame: (n: number) => string } {
  const setup =
    "\x1b]2;tui title\x07" + // title
    "\x1b[?1049h" + // alternate screen
    "\x1b[?1h\x1b=" + // application cursor keys, keypad
    "\x1b[?2004h" + // bracketed paste
    "\x1b[?1002h\x1b[?1006h" + // mouse drag tracking, SGR encoding
    "\x1b[?1004h" + // focus reporting
    "\x1b[?25l" + // hidden cursor
    "\x1b[5 q" + // blinking bar cursor
    "\x1b[2J\x1b[H\x1b[1;44mHEADER drawn once\x1b[0m" +
    "\x1b[3;20r"; // scroll region rows 3–20
  const frame = (n: number) => {
    let out = "\x1b[3;1H";
    for (let row = 0; row < 12; row++) {
      out += `\x1b[3${row % 8}mframe ${n} row ${row} ${"=".repeat(60)}\x1b[0m\r\n`;
    }
    return `${out}\x1b[7;9H`;
  };
  return { setup, frame };
}
