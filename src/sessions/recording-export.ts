// A recording exported, streaming, as asciicast v2 (what `asciinema play` and asciinema-player
// play) with its idle gaps capped, or as plain text: what a terminal shows after it, lines that
// scrolled away included, escape sequences applied (a line redrawn with \r appears once, as it
// was left). Memory stays bounded whatever the recording's size.

import { Terminal } from "@xterm/headless";
import type { CastHeader } from "../protocol/recording.ts";
import { RecordingFlags } from "./recording-format.ts";
import type { StoredRecording } from "./recording-store.ts";

/** Asciicast lines are sent in pieces of about this many characters. */
const SEND_CHARS = 64 * 1024;
/** Lines the text export's terminal keeps above its screen before it hands them out. */
const TEXT_SCROLLBACK_LINES = 1000;
/** Output is parsed in slices of at most this many bytes: each scrolls fewer lines than are kept. */
const TEXT_SLICE_BYTES = 512;
/** The text export lets other work run after parsing this much. */
const YIELD_BYTES = 64 * TEXT_SLICE_BYTES;

/** The internal of @xterm/headless 6.0.0 that parses synchronously (see src/sessions/screen.ts). */
interface XtermCore {
  _writeBuffer: { writeSync(data: Uint8Array): void };
}

/** Why a recording stopped before its session's end, as its export says. */
export function truncation(flags: number): string | undefined {
  if (flags & RecordingFlags.limit) return "it reached RECORDING_LIMIT";
  if (flags & RecordingFlags.overrun) return "output came faster than it could be recorded";
  if (flags & RecordingFlags.failed) return "writing it failed";
  return undefined;
}

const encoder = new TextEncoder();

/** Strings as a byte stream, gathered into pieces of about SEND_CHARS. */
function streamOf(lines: AsyncGenerator<string>): ReadableStream<Uint8Array> {
  return new ReadableStream({
    async pull(controller) {
      let text = "";
      while (text.length < SEND_CHARS) {
        const next = await lines.next();
        if (next.done) {
          if (text) controller.enqueue(encoder.encode(text));
          controller.close();
          return;
        }
        text += next.value;
      }
      controller.enqueue(encoder.encode(text));
    },
    async cancel() {
      await lines.return(undefined);
    },
  });
}

export interface CastOptions {
  /** The header's title; none when undefined. */
  title: string | undefined;
  /** Pauses longer than this many seconds are shortened to it. */
  idleLimitS: number;
}

/** The recording as an asciicast v2 file. */
export function castStream(
  recording: StoredRecording,
  options: CastOptions,
): ReadableStream<Uint8Array> {
  return streamOf(castLines(recording, options));
}

async function* castLines(
  recording: StoredRecording,
  { title, idleLimitS }: CastOptions,
): AsyncGenerator<string> {
  const { header } = recording;
  const stopped = truncation(header.flags);
  const cast: CastHeader = {
    version: 2,
    width: header.cols,
    height: header.rows,
    timestamp: Math.floor(header.startedMs / 1000),
    idle_time_limit: idleLimitS,
    ...(title === undefined ? {} : { title }),
    env: { TERM: "xterm-256color" },
    ...(stopped ? { truncated: true, truncated_reason: stopped } : {}),
  };
  yield `${JSON.stringify(cast)}\n`;
  // Output split inside a UTF-8 sequence goes out whole with the next piece, never as U+FFFD.
  const decoder = new TextDecoder();
  const idleMs = idleLimitS * 1000;
  let lastMs = 0;
  let at = 0;
  const time = (timeMs: number) => {
    at += Math.min(Math.max(0, timeMs - lastMs), idleMs);
    lastMs = timeMs;
    return Math.round(at * 1000) / 1e6;
  };
  for await (const piece of recording.pieces()) {
    if (piece.kind === "resize") {
      yield `${JSON.stringify([time(piece.timeMs), "r", `${piece.cols}x${piece.rows}`])}\n`;
      continue;
    }
    const text = decoder.decode(piece.bytes, { stream: true });
    if (text) yield `${JSON.stringify([time(piece.timeMs), "o", text])}\n`;
  }
  const rest = decoder.decode();
  if (rest) yield `${JSON.stringify([time(lastMs), "o", rest])}\n`;
  if (stopped) {
    const note = `\r\n\x1b[0;2m[OpenDray: the recording stops here: ${stopped}]\x1b[0m\r\n`;
    yield `${JSON.stringify([time(lastMs), "o", note])}\n`;
  }
}

/** The recording as the text its terminal showed, lines that scrolled away first. */
export function textStream(recording: StoredRecording): ReadableStream<Uint8Array> {
  return streamOf(textLines(recording));
}

async function* textLines(recording: StoredRecording): AsyncGenerator<string> {
  const { header } = recording;
  const term = new Terminal({
    cols: header.cols,
    rows: header.rows,
    scrollback: TEXT_SCROLLBACK_LINES,
    allowProposedApi: true,
  });
  // Parses at once, as src/sessions/screen.ts does (the public `write` queues a timer per call).
  const core = (term as unknown as { _core: XtermCore })._core;
  const lines = new LineReader(term);
  let parsed = 0;
  try {
    for await (const piece of recording.pieces()) {
      if (piece.kind === "resize") {
        term.resize(piece.cols, piece.rows);
        continue;
      }
      for (let at = 0; at < piece.bytes.length; at += TEXT_SLICE_BYTES) {
        core._writeBuffer.writeSync(piece.bytes.subarray(at, at + TEXT_SLICE_BYTES));
        const scrolled = lines.scrolled();
        if (scrolled) yield scrolled;
        parsed += TEXT_SLICE_BYTES;
        // Other requests go on between slices of a long recording.
        if (parsed % YIELD_BYTES === 0) await new Promise((resolve) => setImmediate(resolve));
      }
    }
    yield lines.rest();
    const stopped = truncation(header.flags);
    if (stopped) yield `[OpenDray: the recording stops here: ${stopped}]\n`;
  } finally {
    lines.dispose();
    term.dispose();
  }
}

/**
 * Hands out a terminal's lines once they have scrolled off its screen (a program can no longer
 * change them), then the screen's at the end. A marker follows the first line not yet handed out
 * through the trimming of the scrollback.
 */
class LineReader {
  private marker: ReturnType<Terminal["registerMarker"]>;
  /** A line whose continuation (a wrapped line) has not been read yet. */
  private pending: string | undefined;

  constructor(private readonly term: Terminal) {
    this.marker = term.registerMarker(0);
  }

  /** The lines that left the screen since the last call ("" when none). */
  scrolled(): string {
    const buffer = this.term.buffer.active;
    // The alternate screen has no scrollback: full-screen programs leave only their last screen.
    if (buffer.type !== "normal") return "";
    const from = this.firstUnread();
    const to = buffer.baseY;
    if (to <= from) return "";
    const text = this.read(from, to);
    this.marker?.dispose();
    this.marker = this.term.registerMarker(-buffer.cursorY);
    return text;
  }

  /** The screen's lines after the last scrolled ones, trailing blank lines left out. */
  rest(): string {
    const buffer = this.term.buffer.normal;
    const from = this.firstUnread();
    let to = buffer.length;
    while (to > from && !buffer.getLine(to - 1)?.translateToString(true)) to -= 1;
    const text = this.read(from, to);
    const last = this.pending;
    this.pending = undefined;
    return last === undefined ? text : `${text}${last.trimEnd()}\n`;
  }

  dispose(): void {
    this.marker?.dispose();
  }

  /** The buffer line the marker follows; 0 when it was trimmed away (more scrolled than kept). */
  private firstUnread(): number {
    return this.marker && !this.marker.isDisposed ? this.marker.line : 0;
  }

  private read(from: number, to: number): string {
    const buffer = this.term.buffer.normal;
    let out = "";
    for (let i = from; i < to; i++) {
      const line = buffer.getLine(i);
      if (!line) continue;
      // Untrimmed: the part before a wrap is as wide as the screen, its last blanks are text.
      const text = line.translateToString(false);
      if (line.isWrapped && this.pending !== undefined) {
        this.pending += text;
        continue;
      }
      if (this.pending !== undefined) out += `${this.pending.trimEnd()}\n`;
      this.pending = text;
    }
    return out;
  }
}
