import { expect, test } from "bun:test";
import { Terminal } from "@xterm/headless";
import { terminalState, tuiOutput } from "../../test/support/terminal-state.ts";
import { RingBuffer } from "./ring-buffer.ts";
import { TerminalScreen } from "./screen.ts";

const encoder = new TextEncoder();
const SIZE = { cols: 80, rows: 24 };

/** A terminal that watched everything, and a screen fed from a small ring that did too. */
function setup(ringBytes: number) {
  const ring = new RingBuffer(ringBytes);
  const screen = new TerminalScreen(ring, { ...SIZE, scrollbackLines: 100 });
  const watcher = new Terminal({ ...SIZE, allowProposedApi: true });
  const emit = (text: string) => {
    const bytes = encoder.encode(text);
    screen.willAppend(bytes);
    ring.append(bytes);
    watcher.write(bytes);
    screen.touch();
  };
  /** Output in separate reads, one per event-loop turn, as a PTY delivers it. */
  const emitEach = async (texts: string[]) => {
    for (const text of texts) {
      emit(text);
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { ring, screen, watcher, emit, emitEach };
}

/** The ring has wrapped, yet the screen skipped nothing: its snapshot restores what the watcher shows. */
async function expectWholeAfterWrap({ ring, screen, watcher }: ReturnType<typeof setup>) {
  expect(ring.start).toBeGreaterThan(0);
  const snapshot = await screen.snapshot();
  expect(screen.skipped).toBe(0);
  expect(await restored(snapshot.data)).toEqual(await terminalState(watcher));
  screen.dispose();
}

/** What a viewer that gets only the snapshot ends up with. */
async function restored(data: string, cols = SIZE.cols, rows = SIZE.rows) {
  const term = new Terminal({ cols, rows, allowProposedApi: true });
  term.write(data);
  return terminalState(term);
}

test("a snapshot restores the screens, modes, cursor and region after the ring turned over", async () => {
  const { ring, screen, watcher, emitEach } = setup(16 * 1024);
  const tui = tuiOutput();
  await emitEach([tui.setup, ...Array.from({ length: 200 }, (_, n) => tui.frame(n))]);
  expect(ring.start).toBeGreaterThan(0);

  const snapshot = await screen.snapshot();
  expect(snapshot.offset).toBe(ring.end);
  const late = await restored(snapshot.data);
  const early = await terminalState(watcher);
  expect(late).toEqual(early);
  expect(early.buffer).toBe("alternate");
  expect(early.modes.applicationCursorKeysMode).toBe(true);
  expect(early.modes.bracketedPasteMode).toBe(true);
  expect(early.modes.mouseTrackingMode).toBe("drag");
  expect(early.mouseEncoding).toBe("SGR");
  expect(early.cursor.hidden).toBe(true);
  expect(early.scrollRegion).toEqual([2, 19]);
  expect(early.screen[0]).toContain("HEADER drawn once");
  screen.dispose();
});

test("a snapshot of the normal buffer keeps the scrollback lines it is allowed", async () => {
  const { screen, watcher, emit } = setup(4 * 1024);
  for (let n = 0; n < 300; n++) emit(`line ${n}\r\n`);
  const snapshot = await screen.snapshot();
  const late = await restored(snapshot.data);
  expect(late).toEqual(await terminalState(watcher));
  const term = new Terminal({ ...SIZE, allowProposedApi: true });
  term.write(snapshot.data);
  await terminalState(term);
  // 100 lines of scrollback plus the screen: lines 177 to 299 and the prompt row.
  expect(term.buffer.normal.getLine(0)?.translateToString(true)).toBe("line 177");
  screen.dispose();
});

test("an idle screen drops its terminal and comes back the same, resized", async () => {
  const { screen, watcher, emit } = setup(64 * 1024);
  const tui = tuiOutput();
  emit(tui.setup + tui.frame(1));
  await screen.snapshot();
  // Drop it now rather than after FREE_AFTER_MS.
  (screen as unknown as { lastOutputMs: number }).lastOutputMs = -1e9;
  (screen as unknown as { freeIfIdle(): void }).freeIfIdle();
  await screen.snapshot();
  expect((screen as unknown as { term: unknown }).term).toBeUndefined();
  const dropped = await screen.snapshot();
  expect(await restored(dropped.data)).toEqual(await terminalState(watcher));

  screen.resize(100, 30);
  watcher.resize(100, 30);
  emit(tui.frame(2));
  const resized = await screen.snapshot();
  expect([resized.cols, resized.rows]).toEqual([100, 30]);
  expect(await restored(resized.data, 100, 30)).toEqual(await terminalState(watcher));
  screen.dispose();
});

test("reads that would overrun what the screen has not read yet are parsed first", async () => {
  const terminal = setup(4 * 1024);
  const { emit } = terminal;
  // In one event-loop turn (no parse scheduled yet runs): a mode, then reads that overrun it.
  emit("\x1b[?1049h\x1b[?1h");
  for (let n = 0; n < 3; n++) emit(`${"x".repeat(4088)}\r\n`);
  await expectWholeAfterWrap(terminal);
});

test("a read larger than the ring reaches the screen whole", async () => {
  const terminal = setup(4 * 1024);
  terminal.emit(`\x1b[?1h${Array.from({ length: 1000 }, (_, n) => `flood ${n}\r\n`).join("")}`);
  await expectWholeAfterWrap(terminal);
});

test("output the ring overwrote before the screen read it is counted, and the screen goes on", async () => {
  const { ring, screen } = setup(4 * 1024);
  // Output the screen was not told of, then more: what the ring lost is skipped.
  ring.append(new TextEncoder().encode("x".repeat(8 * 1024)));
  for (let n = 0; n < 10; n++) ring.append(new TextEncoder().encode(`flood ${n}\r\n`));
  screen.touch();
  const snapshot = await screen.snapshot();
  expect(screen.skipped).toBeGreaterThan(0);
  expect(screen.skipped).toBe(ring.start);
  expect(snapshot.offset).toBe(ring.end);
  const late = await restored(snapshot.data);
  expect(late.screen.at(-2)).toBe("flood 9");
  screen.dispose();
});

test("endless and malformed escape sequences keep the screen bounded and working", async () => {
  const { screen, watcher, emit } = setup(1024 * 1024);
  emit(`\x1b]0;${"x".repeat(2 * 1024 * 1024)}`); // an OSC that never ends
  emit(`\x1b[${"9;".repeat(100_000)}m`); // a CSI with far too many parameters
  emit("\x1bP".concat("q".repeat(100_000), "\x1b\\")); // a DCS nobody handles
  emit("\x1b[2J\x1b[Hstill fine");
  const snapshot = await screen.snapshot();
  // What the browser's parser makes of it, and no more than a screen's worth of it.
  expect(await restored(snapshot.data)).toEqual(await terminalState(watcher));
  expect(snapshot.data.length).toBeLessThan(64 * 1024);
  screen.dispose();
});
