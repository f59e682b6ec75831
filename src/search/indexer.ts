// The search indexer: turns sessions' output into lines of text (output-lines.ts) and stores
// them in chunks for full-text search. It reads what the manager keeps (a live session's ring,
// the PTY host's, a finished session's scrollback file) on a timer, a bounded number of bytes
// per tick across all sessions: never on the PTY's read path, and never faster than its rate.

import type { OutputTextChunk, OutputTextRepo } from "../db/output-text-repo.ts";
import type { LifecycleEvent } from "../protocol/events.ts";
import { LIVE_STATES, type SessionState } from "../protocol/session.ts";
import type { SessionManager } from "../sessions/manager.ts";
import { SessionError } from "../sessions/session-error.ts";
import { type OutputLine, OutputLines } from "./output-lines.ts";

/** Time between two indexing passes while any session has output to index, in ms. */
export const INDEX_INTERVAL_MS = 1000;
/**
 * Most bytes read from one session at a time: the others get their turn within a pass, and with
 * PGlite (which runs on the server's thread) one step's insert stays a few tens of ms.
 */
const READ_BYTES = 64 * 1024;
/** A chunk of text holds whole lines, up to about this many bytes. */
const CHUNK_TEXT_BYTES = 4096;

export interface SearchIndexerDeps {
  manager: Pick<SessionManager, "list" | "output" | "outputEnd" | "onEvent">;
  repo: OutputTextRepo;
  /** SEARCH_INDEX_LIMIT: bytes of text kept per session (the newest). */
  limitBytes: number;
  /** SEARCH_INDEX_RATE: bytes of output read per second, all sessions together. */
  rateBytes: number;
  intervalMs?: number;
  onError: (error: unknown, context: string) => void;
}

/** Where one session's indexing stands, once read back from the database. */
interface Progress {
  lines: OutputLines;
  /** Output offset of the next byte to read. */
  next: number;
  seq: number;
  line: number;
  textBytes: number;
}

interface Tracked {
  id: string;
  /** The process may still write (its state is live). */
  live: boolean;
  state: SessionState;
  /** A pass may find bytes to index; an idle session sleeps until it runs again. */
  active: boolean;
  /** Where its output ended at the last pass (live sessions): how fast it prints. */
  seenEnd?: number | undefined;
  progress?: Progress | undefined;
  /**
   * A finished session's last slice: a view into the copy of its scrollback file that the
   * manager shares with every reader. Held until its indexing is done, so that each step does
   * not read the file again.
   */
  held?: Uint8Array | undefined;
}

export interface SearchIndexer {
  /** Follow the manager's sessions, and index what earlier runs left unindexed. */
  start(): Promise<void>;
  /** Stop; resolves once a pass under way has finished. */
  dispose(): Promise<void>;
}

export function createSearchIndexer(deps: SearchIndexerDeps): SearchIndexer {
  const intervalMs = deps.intervalMs ?? INDEX_INTERVAL_MS;
  const budgetPerPass = Math.max(1, Math.floor((deps.rateBytes * intervalMs) / 1000));
  const tracked = new Map<string, Tracked>();
  let timer: Timer | undefined;
  let running: Promise<void> | undefined;
  let disposed = false;
  let unsubscribe: (() => void) | undefined;

  const schedule = () => {
    if (disposed || timer !== undefined || running) return;
    if (![...tracked.values()].some((session) => session.active)) return;
    timer = setTimeout(() => {
      timer = undefined;
      running = pass().finally(() => {
        running = undefined;
        schedule();
      });
    }, intervalMs);
  };

  const track = (id: string, state: SessionState) => {
    const live = LIVE_STATES.includes(state);
    const session = tracked.get(id) ?? { id, live, state, active: true };
    session.live = live;
    session.state = state;
    session.active = true;
    tracked.set(id, session);
    schedule();
  };

  const onEvent = ({ type, session }: LifecycleEvent) => {
    if (type === "session.deleted") tracked.delete(session.id);
    else if (type === "session.created" || type === "session.state" || type === "session.exited") {
      track(session.id, session.state);
    }
  };

  /**
   * Bytes the live sessions printed since the last pass. While they print faster than the rate
   * (a flood: a build log, `cat` of a large file), indexing waits, so that it never takes the
   * server's thread (and PGlite's, the same one) from the stream; it catches up from the rings
   * afterwards, and what a ring overwrote meanwhile is a gap.
   */
  function printedSinceLastPass(): number {
    let printed = 0;
    for (const session of tracked.values()) {
      if (!session.live) continue;
      const end = deps.manager.outputEnd(session.id);
      if (end === undefined) continue;
      printed += end - (session.seenEnd ?? end);
      session.seenEnd = end;
    }
    return printed;
  }

  /** One pass: up to the budget, a turn of at most READ_BYTES per active session. */
  async function pass(): Promise<void> {
    if (printedSinceLastPass() > budgetPerPass) return;
    let budget = budgetPerPass;
    let progressed = true;
    while (budget > 0 && progressed && !disposed) {
      progressed = false;
      for (const session of [...tracked.values()]) {
        if (budget <= 0 || disposed) break;
        if (!session.active || !tracked.has(session.id)) continue;
        const read = await step(session, Math.min(budget, READ_BYTES));
        budget -= read;
        if (read > 0) progressed = true;
      }
    }
  }

  /** Index the next bytes of `session`; returns how many were read. */
  async function step(session: Tracked, maxBytes: number): Promise<number> {
    try {
      const progress = session.progress ?? (await resume(session.id));
      session.progress = progress;
      const slice = await deps.manager.output(session.id, progress.next, maxBytes);
      const lines: OutputLine[] = [];
      if (slice.start > progress.next) lines.push(...progress.lines.gap(slice.start));
      lines.push(...progress.lines.push(slice.bytes, slice.start));
      progress.next = slice.start + slice.bytes.length;
      session.held = session.live ? undefined : slice.bytes;
      let done = false;
      if (slice.bytes.length === 0) {
        if (!session.live) {
          lines.push(...progress.lines.end(progress.next));
          done = true;
        } else if (session.state === "idle") {
          // Asleep until it prints again: what it holds goes (read back from the database then).
          session.active = false;
          session.progress = undefined;
        }
      }
      await store(session.id, progress, lines);
      if (done) tracked.delete(session.id);
      return slice.bytes.length;
    } catch (error) {
      // The session was deleted (its rows went with it: ON DELETE CASCADE), or its output ends
      // before what was indexed (nothing more to read).
      const over =
        error instanceof SessionError &&
        (error.kind === "not_found" || error.kind === "since_invalid");
      if (over || isGone(error)) {
        tracked.delete(session.id);
        return 0;
      }
      // Read back from the database at the next turn: lines not stored are read again.
      session.progress = undefined;
      if (tracked.has(session.id)) deps.onError(error, `indexing the output of ${session.id}`);
      return 0;
    }
  }

  async function resume(id: string): Promise<Progress> {
    const point = await deps.repo.indexedPoint(id);
    return {
      lines: new OutputLines(point.endOffset),
      next: point.endOffset,
      seq: point.nextSeq,
      line: point.nextLine,
      textBytes: point.textBytes,
    };
  }

  async function store(id: string, progress: Progress, lines: OutputLine[]): Promise<void> {
    if (lines.length === 0) return;
    const chunks: OutputTextChunk[] = [];
    let from = 0;
    while (from < lines.length) {
      let to = from;
      let bytes = 0;
      while (to < lines.length && (to === from || bytes < CHUNK_TEXT_BYTES)) {
        bytes += (lines[to]?.text.length ?? 0) + 1;
        to++;
      }
      const first = lines[from] as OutputLine;
      const text = lines
        .slice(from, to)
        .map((line) => line.text)
        .join("\n");
      chunks.push({
        sessionId: id,
        seq: progress.seq++,
        startOffset: first.offset,
        endOffset: lines[to]?.offset ?? progress.lines.pendingFrom,
        firstLine: progress.line,
        text,
      });
      progress.line += to - from;
      progress.textBytes += Buffer.byteLength(text);
      from = to;
    }
    await deps.repo.insert(chunks);
    if (progress.textBytes > deps.limitBytes) {
      progress.textBytes = await deps.repo.trim(id, deps.limitBytes);
    }
  }

  return {
    async start() {
      unsubscribe = deps.manager.onEvent(onEvent);
      const [sessions, ends] = await Promise.all([deps.manager.list(), deps.repo.indexedEnds()]);
      for (const session of sessions) {
        const live = LIVE_STATES.includes(session.state);
        if (live || session.outputOffset > (ends.get(session.id) ?? 0)) {
          track(session.id, session.state);
        }
      }
    },

    async dispose() {
      disposed = true;
      unsubscribe?.();
      clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}

/** A foreign key violation (SQLSTATE 23503): the session's row is gone. */
function isGone(error: unknown): boolean {
  for (let cause = error, depth = 0; cause && depth < 5; depth++) {
    if (typeof cause !== "object") return false;
    if ((cause as { code?: unknown }).code === "23503") return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}
