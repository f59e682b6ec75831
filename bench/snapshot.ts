// The server-side terminal (src/sessions/screen.ts) on its own, in this process: how fast it
// parses terminal output next to copying it into a ring (the work the PTY read path does), what
// a snapshot costs (time, bytes) at 100×30 and 250×70 with SNAPSHOT_SCROLLBACK_LINES (1000)
// lines above the screen, and what a screen holds while live and once dropped after idling.
// `bun bench/snapshot.ts`; prints a table, medians of 7 (parse) and 21 (snapshots).

import { heapStats } from "bun:jsc";
import { RingBuffer } from "../src/sessions/ring-buffer.ts";
import { TerminalScreen } from "../src/sessions/screen.ts";
import { fixed, MB, median, runs } from "./stats.ts";
import { renderTable } from "./table.ts";

const SCROLLBACK_LINES = 1000;
const encoder = new TextEncoder();

/** Coloured build-log lines of about `cols` columns, as an agent's tool output looks. */
function logLines(count: number, cols: number): Uint8Array {
  let out = "";
  const filler = "compiling the sources of step of the build "
    .repeat(8)
    .slice(0, Math.max(10, cols - 40));
  for (let i = 0; i < count; i++) {
    out += `\x1b[32m${String(i).padStart(6, "0")}\x1b[0m \x1b[2msrc/module/file.ts\x1b[0m ${filler}\r\n`;
  }
  return encoder.encode(out);
}

/** A full-screen frame redraw: cursor moves and coloured rows, as a TUI repaints. */
function tuiFrame(n: number, cols: number, rows: number): string {
  let out = "\x1b[H";
  for (let row = 1; row <= rows; row++) {
    out += `\x1b[${row};1H\x1b[3${row % 8}m${`frame ${n} row ${row} `.padEnd(cols - 1, "·")}\x1b[0m`;
  }
  return out;
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** MB/s of `bytes` parsed by a screen, appended to its ring in 64 KiB reads, one per turn. */
async function parseRate(bytes: Uint8Array, cols: number, rows: number): Promise<number> {
  const ring = new RingBuffer(4 * 1024 * 1024);
  const screen = new TerminalScreen(ring, { cols, rows, scrollbackLines: SCROLLBACK_LINES });
  const started = performance.now();
  // Every byte parsed, whatever the screen's budget (which would skip most of a flood).
  const catchUp = (screen as unknown as { catchUp(force: boolean): void }).catchUp.bind(screen);
  for (let at = 0; at < bytes.length; at += 65536) {
    ring.append(bytes.subarray(at, at + 65536));
    catchUp(true);
    await nextTurn();
  }
  const seconds = (performance.now() - started) / 1000;
  if (screen.skipped > 0) throw new Error(`the screen skipped ${screen.skipped} bytes`);
  screen.dispose();
  return bytes.length / MB / seconds;
}

/** MB/s of the same reads into a ring alone: the read path without a screen. */
async function ringRate(bytes: Uint8Array): Promise<number> {
  const ring = new RingBuffer(4 * 1024 * 1024);
  const started = performance.now();
  for (let at = 0; at < bytes.length; at += 65536) {
    ring.append(bytes.subarray(at, at + 65536));
    await nextTurn();
  }
  return bytes.length / MB / ((performance.now() - started) / 1000);
}

async function snapshotCost(cols: number, rows: number) {
  const ring = new RingBuffer(4 * 1024 * 1024);
  ring.append(new Uint8Array(4 * 1024 * 1024));
  Bun.gc(true);
  const none = heapStats().heapSize;
  const screen = new TerminalScreen(ring, { cols, rows, scrollbackLines: SCROLLBACK_LINES });
  const feed = async (bytes: Uint8Array) => {
    ring.append(bytes);
    screen.touch();
    await screen.snapshot();
  };
  // A full scrollback of log lines, then a TUI on the alternate screen, as an agent's session.
  await feed(logLines(SCROLLBACK_LINES + rows, cols));
  await feed(encoder.encode(`\x1b[?1049h\x1b[?1h\x1b[?2004h${tuiFrame(1, cols, rows)}`));
  const times: number[] = [];
  let size = 0;
  for (let i = 0; i < 21; i++) {
    // A small change each time, so every snapshot serializes afresh.
    ring.append(encoder.encode(`\x1b[1;1Hchange ${i}`));
    screen.touch();
    await nextTurn();
    const started = performance.now();
    const snapshot = await screen.snapshot();
    times.push(performance.now() - started);
    size = encoder.encode(snapshot.data).length;
  }
  Bun.gc(true);
  const live = heapStats().heapSize;
  // Dropped: what an idle screen keeps (see FREE_AFTER_MS).
  (screen as unknown as { lastOutputMs: number }).lastOutputMs = -1e12;
  (screen as unknown as { freeIfIdle(): void }).freeIfIdle();
  await screen.snapshot();
  await nextTurn();
  const dropped = (screen as unknown as { saved?: Uint8Array }).saved?.length ?? 0;
  screen.dispose();
  return { times, size, liveBytes: live - none, droppedBytes: dropped };
}

async function main() {
  const rows: string[][] = [];
  // The snapshots first, on a fresh heap: their heap figures are differences.
  const costs = [];
  for (const [cols, height] of [
    [100, 30],
    [250, 70],
  ] as const) {
    costs.push({ cols, height, cost: await snapshotCost(cols, height) });
  }
  const log = logLines(400_000, 100);
  const frames = encoder.encode(
    Array.from({ length: 8000 }, (_, n) => tuiFrame(n, 100, 30)).join(""),
  );
  for (const [name, bytes] of [
    ["coloured log lines, 100 cols", log],
    ["TUI frame redraws, 100×30", frames],
  ] as const) {
    const parse: number[] = [];
    const copy: number[] = [];
    for (let i = 0; i < 7; i++) {
      copy.push(await ringRate(bytes));
      parse.push(await parseRate(bytes, 100, 30));
    }
    rows.push([
      `parse: ${name}`,
      `${fixed(median(parse), 0)} MB/s`,
      `ring alone ${fixed(median(copy), 0)} MB/s`,
      `${(bytes.length / MB).toFixed(0)} MB; parse ${runs(parse, 0)}`,
    ]);
  }
  for (const { cols, height, cost } of costs) {
    rows.push([
      `snapshot ${cols}×${height}, ${SCROLLBACK_LINES} lines above`,
      `${fixed(median(cost.times), 1)} ms`,
      `${(cost.size / 1024).toFixed(0)} KiB`,
      `live screen ${(cost.liveBytes / 1024).toFixed(0)} KiB of JS heap, dropped (deflated) ${(cost.droppedBytes / 1024).toFixed(0)} KiB; times ${runs(cost.times, 1)}`,
    ]);
  }
  process.stdout.write(
    `Server-side terminal (@xterm/headless + addon-serialize), in process, medians\n${renderTable(
      ["figure", "value", "beside", "notes"],
      rows,
    )}\n`,
  );
}

await main();
