// The session manager: the narrow interface (spawn, write, resize, stop, attach from an offset,
// read output) over live sessions and their stored rows. It knows nothing about HTTP. Where the
// PTYs live is its PtyPlacement (pty-placement.ts): in this process, or (PTY_HOST=auto) in the
// PTY host: then each live session here mirrors the host's ring for its viewers, and sessions
// outlive this process.
// Its git worktree steps are in session-worktrees.ts, its rows' mapping in session-row.ts.

import { edenGC } from "bun:jsc";
import { randomUUID } from "node:crypto";
import { statSync } from "node:fs";
import { isAbsolute } from "node:path";
import type { HookEndpoint, HookOutcome } from "../attention/hook-channel.ts";
import { hookSignal } from "../attention/hook-events.ts";
import { type Cause, describeCause } from "../cause.ts";
import { isDatabaseUnavailable } from "../db/client.ts";
import type { SessionsRepo } from "../db/sessions-repo.ts";
import type { LifecycleEvent, LifecycleEventType } from "../protocol/events.ts";
import {
  LIVE_STATES,
  type Session,
  type SessionState,
  type SessionWorktree,
} from "../protocol/session.ts";
import type { SessionDeleted } from "../protocol/session-requests.ts";
import type { ProviderCatalog } from "../providers/catalog.ts";
import type { Worktrees } from "../worktrees/worktrees.ts";
import { createFinishedOutputCache, StoredOutput } from "./finished-output.ts";
import type { HostedSessionView } from "./host-link.ts";
import {
  type Attachment,
  type ChangeKind,
  INPUT_BUDGET_BYTES,
  LiveSession,
  type LiveSessionOptions,
} from "./live-session.ts";
import type { PtyPlacement } from "./pty-placement.ts";
import { castStream, textStream, truncation } from "./recording-export.ts";
import type { RecordingStore } from "./recording-store.ts";
import { createRowWriter } from "./row-writer.ts";
import type { ScreenText } from "./screen.ts";
import type { ScrollbackStore } from "./scrollback-store.ts";
import type { SessionAction } from "./session-actions.ts";
import { SessionError } from "./session-error.ts";
import { fromRow, toPatch } from "./session-row.ts";
import { SessionWorktrees, worktreeDeleted } from "./session-worktrees.ts";
import {
  type Feed,
  type OutputSource,
  startsFromSnapshot,
  Viewer,
  type ViewerSink,
} from "./viewer.ts";

/** Size used when a request gives none (or zero): never below 80×24 (DESIGN §6). */
export const DEFAULT_COLS = 80;
export const DEFAULT_ROWS = 24;
/** SNAPSHOT_SCROLLBACK_LINES's default. */
export const DEFAULT_SNAPSHOT_LINES = 1000;
/**
 * How late a session's row may learn its latest size. A resize reaches the PTY at once; a
 * window dragged across the screen sends hundreds a second, and each one written to the row
 * took the database (and, with PGlite, this event loop) from every other request.
 */
export const SIZE_STORE_MS = 1000;

export interface SpawnRequest {
  provider: string;
  cwd: string;
  name?: string;
  args?: string[];
  env?: Record<string, string>;
  /** Add the provider's permissions-bypass flag (ignored when it has none). */
  bypass?: boolean;
  /** Passed with the provider's model flag. */
  model?: string;
  /** Continue the CLI's last conversation in `cwd`. */
  resume?: "last";
  /** Resume this conversation of the CLI (restart of a session that pinned one). */
  conversationId?: string;
  cols?: number;
  rows?: number;
  parentSessionId?: string;
  /**
   * Run in a new git worktree of the repository holding `cwd`: true (a branch named after the
   * session) or a branch name (`opendray/<name>`); see src/worktrees/worktrees.ts.
   */
  worktree?: true | string;
  /** Run in this existing worktree (a restart's); `cwd` is then already inside it. */
  inWorktree?: SessionWorktree;
  createdBy?: string | null;
  /** Who asked (audited as its actor); absent: the server itself. */
  cause?: Cause;
}

export interface OutputSlice {
  /** Absolute offset of bytes[0]. */
  start: number;
  /**
   * Where the session's output ends: start + bytes.length, or beyond when the scrollback file of
   * a finished session lacks its last bytes (a full disk kept them from being written).
   */
  end: number;
  /** Never to be written to: a finished session's are shared by its readers, a live one's copied. */
  bytes: Uint8Array;
}

/** How a recording is exported (see src/sessions/recording-export.ts). */
export type RecordingExport =
  /** `anonymous`: the header names nothing of the session (no title), as a share link serves it. */
  { format: "cast"; idleLimitS: number; anonymous?: boolean } | { format: "text" };

export interface SessionManager {
  spawn(request: SpawnRequest): Promise<Session>;
  get(id: string): Promise<Session>;
  list(filter?: { state?: SessionState }): Promise<Session[]>;
  rename(id: string, name: string, cause?: Cause): Promise<Session>;
  /**
   * Input bytes; SessionError `not_running` when the session is not running, `input_full` while
   * more than its input budget waits for the program to read it. Audited (session.input) only
   * with a `cause`: a request that typed, not each piece of it.
   */
  write(id: string, bytes: Uint8Array, cause?: Cause): Promise<void>;
  resize(id: string, cols: number, rows: number): Promise<void>;
  stop(id: string, cause?: Cause): Promise<Session>;
  restart(id: string, createdBy: string | null, cause?: Cause): Promise<Session>;
  /**
   * Delete the session (stopped first if live). Its worktree, if it has one, is kept, or with
   * `worktree: "remove"` removed: WorktreeError `worktree_dirty` (nothing deleted) while it
   * holds uncommitted work, `worktree_in_use` while another session runs in it. Returns what
   * happened to the worktree (null: the session had none).
   */
  remove(
    id: string,
    cause?: Cause,
    options?: { worktree?: "keep" | "remove" },
  ): Promise<SessionDeleted | null>;
  /**
   * Output from `since` (default: all that is kept, here or in the PTY host), clamped to what is
   * kept; SessionError `since_invalid` past the end. `maxBytes` caps the bytes returned (`end`
   * is then where they end).
   */
  output(id: string, since?: number, maxBytes?: number): Promise<OutputSlice>;
  /** Where a live session's output ends now; undefined for one that is not live here. */
  outputEnd(id: string): number | undefined;
  /** `since` for a new viewer, as given (absent: none); `since_invalid` past the end. */
  checkSince(id: string, since?: number): Promise<number | undefined>;
  /**
   * Attach a viewer from `since` (absent: a fresh open); a live session may start it from a
   * snapshot (see LiveSession.attach); a finished session is replayed, then closed.
   */
  attach(
    id: string,
    since: number | undefined,
    sink: ViewerSink,
    options?: { readOnly?: boolean },
  ): Promise<Attachment>;
  /**
   * Type the keys of `option` of the prompt `fingerprint` names, if it is still the one the
   * session waits on: SessionError `prompt_changed` otherwise (nothing is typed),
   * `option_invalid` for an option it does not have, `not_running`.
   */
  answer(id: string, fingerprint: string, option: number, cause?: Cause): Promise<Session>;
  /**
   * A session's recording as asciicast or text, streaming (a live session's up to its last
   * write); SessionError `no_recording` when it has none. Audited (session.exported).
   */
  exportRecording(
    id: string,
    how: RecordingExport,
    cause?: Cause,
  ): Promise<{ session: Session; body: ReadableStream<Uint8Array> }>;
  /** The text on a live session's screen; SessionError `not_running` otherwise. */
  screenText(id: string): Promise<ScreenText>;
  /** A call of the session's CLI hook (see src/attention/hook-channel.ts). */
  hook(id: string, payload: unknown): Promise<HookOutcome>;
  onEvent(listener: (event: LifecycleEvent) => void): () => void;
  /** What was done to sessions and who caused it (what the audit log is written from). */
  onAction(listener: (action: SessionAction) => void): () => void;
  /** Mark rows a previous process left live as interrupted. Returns how many. */
  recover(): Promise<number>;
  /** Hang up every session, persist rows and scrollback, close viewers. */
  shutdown(): Promise<void>;
  /** Viewers attached to a live session (0 when it is not live). */
  viewerCount(id: string): number;
  /** Live sessions in memory (for metrics and benchmarks). */
  readonly liveCount: number;
  /** Output bytes held in memory for live sessions (their rings or ring copies). */
  readonly outputBytesHeld: number;
}

export interface SessionManagerDeps {
  repo: SessionsRepo;
  store: ScrollbackStore;
  /** Where recordings are kept, to be exported and removed (`placement` says who writes them). */
  recordings?: RecordingStore;
  /**
   * Where the PTYs live: InProcessPlacement, or HostedPlacement (PTY_HOST=auto) in the PTY host,
   * which outlives this server: shutdown leaves sessions running there; recovery adopts them.
   */
  placement: PtyPlacement;
  providers: ProviderCatalog;
  scrollbackBytes: number;
  /** SNAPSHOT_SCROLLBACK_LINES (default DEFAULT_SNAPSHOT_LINES). */
  snapshotScrollbackLines?: number;
  /** MIRROR_GRACE: how long a hosted session's ring copy outlives its last viewer. */
  mirrorGraceMs?: number;
  idleAfterMs: number;
  /** Creates and removes sessions' git worktrees; without it, `worktree` requests fail. */
  worktrees?: Worktrees;
  /** Where a session's CLI hooks report (see src/attention/hook-channel.ts); none without. */
  hookEndpoint?: (sessionId: string) => HookEndpoint;
  now?: () => number;
  onError?: (error: unknown, context: string) => void;
}

/** How long shutdown gives the rows still waiting for the database, in ms. */
const SHUTDOWN_STORE_MS = 5000;

export function createSessionManager(deps: SessionManagerDeps): SessionManager {
  const now = deps.now ?? Date.now;
  const onError = deps.onError ?? ((error) => console.error(error));
  const live = new Map<string, LiveSession>();
  const { placement } = deps;
  const worktrees = new SessionWorktrees(deps.worktrees, deps.repo);
  /** Each session's latest state, kept until its row is stored (retried while the database is away). */
  const rowWriter = createRowWriter({
    store: (session) => deps.repo.update(session.id, toPatch(session)),
    isUnavailable: isDatabaseUnavailable,
    onError,
  });
  const listeners = new Set<(event: LifecycleEvent) => void>();

  const emit = (type: LifecycleEventType, session: Session) => {
    for (const listener of listeners) listener({ type, session });
  };
  const actionListeners = new Set<(action: SessionAction) => void>();
  /** Tell the action listeners; one that throws is logged and never fails the action. */
  const record = (
    type: SessionAction["type"],
    sessionId: string,
    cause: Cause | undefined,
    detail: Record<string, unknown> = {},
  ) => {
    const { actor, detail: why } = describeCause(cause);
    for (const listener of actionListeners) {
      try {
        listener({ type, sessionId, actor, detail: { ...why, ...detail } });
      } catch (error) {
        onError(error, `recording ${type} of session ${sessionId}`);
      }
    }
  };
  /**
   * Sessions a request is ending (stop, restart, delete): their exit is that request's row, not
   * one of its own. Entries are removed once the exit is seen.
   */
  const endingOnRequest = new Set<string>();

  /** Store `session` as its row; rejects (store_unavailable) when the database is away (the state still waits). */
  const persist = (session: Session): Promise<void> => rowWriter.save(session);

  /** The state waiting to be stored for `id`: newer than its row. */
  const pendingCopy = (id: string): Session | undefined => {
    const waiting = rowWriter.pending(id);
    return waiting && { ...waiting, args: [...waiting.args] };
  };

  /**
   * Live sessions resized since their row last got their size, and the timer that will write it:
   * at most one row write for sizes per session per SIZE_STORE_MS (the row writer coalesces it
   * with any other waiting state). Every other row write carries the
   * size too (the exit's and shutdown's included), so the last size is always stored.
   */
  const sizeWrites = new Map<string, Timer>();
  const storeSizeSoon = (session: LiveSession) => {
    const id = session.info.id;
    if (sizeWrites.has(id)) return;
    const timer = setTimeout(() => {
      sizeWrites.delete(id);
      if (live.get(id) !== session) return;
      persist(session.snapshot());
    }, SIZE_STORE_MS);
    sizeWrites.set(id, timer);
  };
  const cancelSizeWrite = (id: string) => {
    clearTimeout(sizeWrites.get(id));
    sizeWrites.delete(id);
  };

  /** Finished sessions until their final row and scrollback file are written. */
  const archiving = new Map<string, Promise<void>>();
  const archive = (id: string, done: Promise<void>) => {
    archiving.set(id, done);
    done.then(() => {
      if (archiving.get(id) === done) archiving.delete(id);
    });
  };

  const onChange = (session: LiveSession, kind: ChangeKind) => {
    const snapshot = session.snapshot();
    persist(snapshot);
    if (kind === "exited") {
      // Until its final row and its scrollback file are written, the session is served from
      // memory; after that from both. Attached viewers keep their reference meanwhile. The PTY
      // host forgets the process only then: until its exit is stored, a restart can still tell it.
      archive(
        snapshot.id,
        Promise.all([rowWriter.stored(snapshot.id), session.scrollbackSaved]).then(() => {
          if (live.get(snapshot.id) === session) live.delete(snapshot.id);
          session.releaseProcess();
        }),
      );
      emit("session.exited", snapshot);
      if (!endingOnRequest.delete(snapshot.id)) {
        record("session.ended", snapshot.id, { reason: "exited" }, exitDetail(snapshot));
      }
    } else {
      emit("session.state", snapshot);
    }
  };

  const sessionOptions: LiveSessionOptions = {
    scrollbackBytes: deps.scrollbackBytes,
    snapshotScrollbackLines: deps.snapshotScrollbackLines ?? DEFAULT_SNAPSHOT_LINES,
    ...(deps.mirrorGraceMs === undefined ? {} : { mirrorGraceMs: deps.mirrorGraceMs }),
    idleAfterMs: deps.idleAfterMs,
    now,
    onChange,
    onResize: storeSizeSoon,
    onActivity: (session) => emit("session.activity", session.snapshot()),
  };

  const find = async (id: string): Promise<Session> => {
    const session = live.get(id);
    if (session) return session.snapshot();
    const waiting = pendingCopy(id);
    if (waiting) return waiting;
    const row = await deps.repo.get(id);
    if (!row) throw new SessionError("not_found", "session not found");
    return fromRow(row);
  };

  const running = async (id: string): Promise<LiveSession> => {
    const session = live.get(id);
    if (session?.isRunning) return session;
    const stored = await find(id);
    throw new SessionError("not_running", `session is ${stored.state}`);
  };

  const validateCwd = (cwd: string) => {
    if (!isAbsolute(cwd)) throw new SessionError("cwd_invalid", "cwd must be an absolute path");
    let isDirectory = false;
    try {
      isDirectory = statSync(cwd).isDirectory();
    } catch {
      throw new SessionError("cwd_invalid", "cwd does not exist");
    }
    if (!isDirectory) throw new SessionError("cwd_invalid", "cwd is not a directory");
  };

  /** `quiet`: a restart's new session, audited as the restart. */
  const spawn = async (request: SpawnRequest, quiet = false): Promise<Session> => {
    const args = request.args ?? [];
    validateCwd(request.cwd);
    const id = randomUUID();
    const launch = await deps.providers.launch({
      provider: request.provider,
      args,
      bypass: request.bypass,
      model: request.model,
      resume: request.resume,
      conversationId: request.conversationId,
      env: request.env,
      hooks: deps.hookEndpoint?.(id),
    });
    if (request.parentSessionId !== undefined && !(await deps.repo.get(request.parentSessionId))) {
      throw new SessionError("parent_not_found", "parentSessionId names no session");
    }
    const place = await worktrees.place(
      id,
      request.cwd,
      request.worktree,
      request.inWorktree,
      request.name?.trim() || undefined,
    );
    const { cwd, worktree } = place;
    // So that the session's long-lived objects fill holes in blocks in use (docs/memory.md).
    edenGC();
    const createdAt = new Date(now());
    const info: Session = {
      id,
      name: request.name?.trim() || defaultName(request.provider, request.cwd),
      provider: request.provider,
      cwd,
      args,
      state: "starting",
      pid: null,
      exitCode: null,
      exitSignal: null,
      cols: request.cols || DEFAULT_COLS,
      rows: request.rows || DEFAULT_ROWS,
      createdAt: createdAt.toISOString(),
      startedAt: null,
      endedAt: null,
      lastOutputAt: null,
      outputOffset: 0,
      parentSessionId: request.parentSessionId ?? null,
      createdBy: request.createdBy ?? null,
      endReason: null,
      conversationId: launch.conversationId,
      bypass: request.bypass === true,
      activity: null,
      worktree,
    };
    try {
      await deps.repo.insert({ ...toPatch(info), id: info.id, createdAt });
    } catch (error) {
      await worktrees.discard(place, onError);
      throw error;
    }
    emit("session.created", { ...info });
    if (!quiet) record("session.created", info.id, request.cause, { provider: info.provider });
    if (worktree && place.made) {
      record("session.worktree_added", info.id, request.cause, { ...worktree });
    }

    const session = new LiveSession(info, sessionOptions);
    try {
      const options = {
        file: launch.file,
        args: launch.args,
        cwd: info.cwd,
        env: launch.env,
        cols: info.cols,
        rows: info.rows,
      };
      const pty = await placement.spawn(session, options);
      live.set(info.id, session);
      session.started(pty, placement.journal(session), placement.recorder(session));
      session.trackAttention(launch.attention);
      pty.begin?.();
    } catch (error) {
      info.state = "failed";
      info.endedAt = new Date(now()).toISOString();
      info.endReason = `could not start ${launch.file}: ${error instanceof Error ? error.message : String(error)}`;
      await persist(info);
      emit("session.exited", { ...info });
      record("session.ended", info.id, { reason: "start_failed" }, exitDetail(info));
      return { ...info };
    }
    // The session runs: a database that went away since the insert stores its state later.
    await rowWriter.flushed(info.id).catch(() => {});
    return session.snapshot();
  };

  /** Serve a session the PTY host kept running while no server was there. */
  const adopt = async (info: Session, hosted: HostedSessionView) => {
    const session = new LiveSession(info, sessionOptions, hosted.start);
    session.ring.append(hosted.replay);
    const pty = hosted.take(session);
    live.set(info.id, session);
    session.adopt(pty, placement.journal(session));
    const attention = deps.providers.attentionOf(info.provider);
    // Its CLI's hooks report with a token from the same key: they keep working.
    if (attention) session.trackAttention(attention, true);
    await persist(session.snapshot());
    record("session.resumed", info.id, { reason: "server_start" });
    pty.begin?.();
  };

  // The PTY host died: its PTYs hung up with it. What the server mirrored becomes the scrollback.
  placement.onLost((reason) => {
    onError(new Error(reason), "lost the PTY host; its sessions are interrupted");
    const endedAt = new Date(now()).toISOString();
    for (const [id, session] of live) {
      live.delete(id);
      session.closeViewers("host_lost");
      const wasRunning = session.isRunning;
      session.abandon();
      if (!wasRunning) continue;
      // Readers of the archive wait for the file (archivedFeed). The host's own file is kept
      // when this server's copy of its ring is not whole (dropped while unwatched).
      if (session.mirrorIsWhole) archive(id, deps.store.open(id, session.ring).close());
      const snapshot = session.snapshot();
      persist({
        ...snapshot,
        state: "interrupted",
        endedAt,
        endReason: `${reason} while the session was live`,
      });
      emit("session.exited", { ...snapshot, state: "interrupted" });
      record("session.interrupted", id, { reason: "host_lost" }, { message: reason });
    }
  });

  /**
   * Shutdown: one bounded last attempt at the rows still waiting, then the archives of the
   * sessions whose rows are stored. The others are logged; the PTY host keeps those sessions, so
   * that the next start stores their exits.
   */
  const storeWaitingRows = async () => {
    const unstored = await rowWriter.close(SHUTDOWN_STORE_MS);
    if (unstored.length > 0) {
      onError(
        new Error(`the rows of sessions ${unstored.join(", ")} could not be stored`),
        "shutting down while the database is unavailable",
      );
    }
    await Promise.all(
      [...archiving].map(([id, done]) =>
        unstored.includes(id) ? live.get(id)?.scrollbackSaved : done,
      ),
    );
  };

  /** Every reader of a finished session shares one copy of what its file holds. */
  const finished = createFinishedOutputCache(deps.store, deps.scrollbackBytes);
  const archivedFeed = async (
    id: string,
  ): Promise<{ feed: Feed & { ring: StoredOutput; end: number }; session: Session }> => {
    const session = await find(id);
    await archiving.get(id);
    const ring = finished.read(id) ?? new StoredOutput(session.outputOffset, new Uint8Array(0));
    // The row knows where the output ended; a file that a full disk kept from being completed
    // ends before that, and viewers are told of the gap instead of shown a false end.
    const end = Math.max(ring.end, session.outputOffset);
    return {
      session: { ...session, outputOffset: end },
      feed: {
        ring,
        end,
        exit: { exitCode: session.exitCode, signal: session.exitSignal },
        release: () => {},
      },
    };
  };

  return {
    spawn: (request) => spawn(request),
    get: find,

    async list(filter = {}) {
      const rows = await deps.repo.list(filter);
      return rows.map((row) => live.get(row.id)?.snapshot() ?? pendingCopy(row.id) ?? fromRow(row));
    },

    async rename(id, name, cause) {
      const session = live.get(id);
      const current = session?.info ?? (await find(id));
      current.name = name;
      await persist(current);
      const renamed = session?.snapshot() ?? { ...current };
      emit("session.renamed", renamed);
      record("session.renamed", id, cause, { name });
      return renamed;
    },

    async write(id, bytes, cause) {
      const session = await running(id);
      if (session.inputBacklog > INPUT_BUDGET_BYTES) {
        throw new SessionError(
          "input_full",
          `${session.inputBacklog} bytes of earlier input wait for the program to read them`,
        );
      }
      session.write(bytes);
      if (cause) record("session.input", id, cause, { bytes: bytes.length });
    },

    async resize(id, cols, rows) {
      const session = await running(id);
      session.resize(cols, rows);
      storeSizeSoon(session);
    },

    async stop(id, cause) {
      const session = live.get(id);
      if (!session) return find(id);
      if (session.isRunning) endingOnRequest.add(id);
      await session.stop();
      record("session.stopped", id, cause);
      await rowWriter.flushed(id);
      await archiving.get(id);
      return session.snapshot();
    },

    async restart(id, createdBy, cause) {
      const old = await find(id);
      const session = live.get(id);
      if (session) {
        if (session.isRunning) endingOnRequest.add(id);
        await session.stop();
        await rowWriter.flushed(id);
        await archiving.get(id);
      }
      const restarted = await spawn(
        {
          provider: old.provider,
          cwd: old.cwd,
          name: old.name,
          args: old.args,
          cols: old.cols,
          rows: old.rows,
          parentSessionId: old.id,
          createdBy,
          ...(old.conversationId ? { conversationId: old.conversationId } : {}),
          ...(old.worktree ? { inWorktree: old.worktree } : {}),
          bypass: old.bypass,
        },
        true,
      );
      record("session.restarted", id, cause, {
        newSessionId: restarted.id,
        state: restarted.state,
      });
      return restarted;
    },

    async remove(id, cause, options = {}) {
      const snapshot = await find(id);
      const { worktree } = snapshot;
      const removing = worktree !== null && options.worktree === "remove";
      if (removing) await worktrees.checkRemovable(id, worktree);
      const session = live.get(id);
      cancelSizeWrite(id);
      if (session) {
        if (session.isRunning) endingOnRequest.add(id);
        session.closeViewers("deleted");
        await session.stop();
        // The scrollback file must be complete before it is removed, or its last write revives it.
        await rowWriter.flushed(id);
        await archiving.get(id);
        live.delete(id);
      }
      await rowWriter.flushed(id);
      // Stopped now, the program can no longer write to it; git refuses again if it did meanwhile.
      const removal = removing ? await worktrees.remove(worktree) : undefined;
      await deps.repo.remove(id);
      deps.store.remove(id);
      deps.recordings?.remove(id);
      emit("session.deleted", { ...snapshot, ...(session?.snapshot() ?? {}) });
      record("session.deleted", id, cause);
      if (!worktree) return null;
      if (removal) {
        record("session.worktree_removed", id, cause, {
          path: worktree.path,
          branch: worktree.branch,
          branchDeleted: removal.branchDeleted,
        });
      }
      return worktreeDeleted(worktree, removal);
    },

    async output(id, since, maxBytes = Number.POSITIVE_INFINITY) {
      // A live ring changes under the response: copy. A finished session's bytes never change
      // and are shared by all its readers: a view.
      const session = live.get(id);
      if (session) {
        if (since !== undefined) sinceWithin(session.ring, since);
        const { start, bytes } = await session.output(since, maxBytes);
        return { start, end: start + bytes.length, bytes };
      }
      const { feed } = await archivedFeed(id);
      const from = sinceWithin(feed.ring, since, feed.end);
      const start = Math.max(from, feed.ring.start);
      const bytes = feed.ring.view(from);
      if (bytes.length <= maxBytes) return { start, end: feed.end, bytes };
      return { start, end: start + maxBytes, bytes: bytes.subarray(0, maxBytes) };
    },

    outputEnd(id) {
      return live.get(id)?.ring.end;
    },

    async checkSince(id, since) {
      const { ring, end = ring.end }: Feed = live.get(id) ?? (await archivedFeed(id)).feed;
      return since === undefined ? undefined : sinceWithin(ring, since, end);
    },

    async attach(id, since, sink, options = {}) {
      const session = live.get(id);
      if (session) return session.attach(sink, since, options);
      const { feed, session: info } = await archivedFeed(id);
      const { ring, end } = feed;
      // The screen it ended with, instead of a replay that cannot rebuild it or would be long.
      const screen = startsFromSnapshot(since, ring, end) ? deps.store.readScreen(id) : undefined;
      if (screen === "corrupt") {
        onError(
          new Error(`the final screen of session ${id} is unreadable`),
          "falling back to its scrollback",
        );
      }
      const snapshot = typeof screen === "object" && screen.offset === end ? screen : undefined;
      const viewer = new Viewer(
        snapshot ? { ...feed, screenSnapshot: () => Promise.resolve(snapshot) } : feed,
        sink,
        since ?? (screen === "corrupt" ? 0 : ring.start),
      );
      viewer.start(
        { type: "hello", session: info, offset: end, bufferStart: ring.start },
        snapshot !== undefined,
      );
      return {
        write: () => "ended",
        resize: () => false,
        resume: () => viewer.resume(),
        detach: () => viewer.detach(),
      };
    },

    async answer(id, fingerprint, option, cause) {
      const session = await running(id);
      const result = session.attention?.answer(fingerprint, option) ?? {
        refused: "prompt_changed" as const,
      };
      if ("refused" in result) {
        if (result.refused === "option_invalid") {
          throw new SessionError("option_invalid", "the prompt has no such option");
        }
        throw new SessionError("prompt_changed", "that prompt is no longer the one waiting");
      }
      session.write(new TextEncoder().encode(result.keys));
      record("session.answered", id, cause, { option });
      return session.snapshot();
    },

    async exportRecording(id, how, cause) {
      const session = await find(id);
      const recording = await deps.recordings?.read(id);
      if (!recording) {
        throw new SessionError("no_recording", "this session has no recording");
      }
      record("session.exported", id, cause, {
        format: how.format,
        bytes: recording.size,
        ...(truncation(recording.header.flags) ? { truncated: true } : {}),
      });
      const body =
        how.format === "cast"
          ? castStream(recording, {
              title: how.anonymous ? undefined : session.name,
              idleLimitS: how.idleLimitS,
            })
          : textStream(recording);
      return { session, body };
    },

    async screenText(id) {
      const session = await running(id);
      const text = await session.screenText();
      if (!text)
        throw new SessionError(
          "screen_not_ready",
          "the session's screen is catching up; try again",
        );
      return text;
    },

    async hook(id, payload) {
      const attention = live.get(id)?.attention;
      if (!attention?.hooks) return "not_live";
      const signal = hookSignal(attention.hooks, payload);
      if (!signal) return "invalid";
      attention.hook(signal);
      return "taken";
    },

    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    onAction(listener) {
      actionListeners.add(listener);
      return () => actionListeners.delete(listener);
    },

    async recover() {
      const hosted = await placement.connect();
      const kept: string[] = [];
      for (const [id, running] of hosted) {
        const row = await deps.repo.get(id);
        if (row && (LIVE_STATES as readonly string[]).includes(row.state)) {
          await adopt(fromRow(row), running);
          kept.push(id);
        } else {
          // No live row (deleted, or another database): nobody could ever see or stop it.
          const orphan = running.take({ onData() {}, onExit: () => orphan.release?.() });
          orphan.begin?.();
          if (running.exit) continue;
          orphan.signal("SIGHUP");
          orphan.signal("SIGTERM");
        }
      }
      const rows = await deps.repo.markLiveInterrupted(
        placement.interruptedReason,
        new Date(now()),
        kept,
      );
      for (const row of rows) {
        record(
          "session.interrupted",
          row.id,
          { reason: "server_start" },
          { endReason: row.endReason },
        );
        const stored = deps.store.read(row.id, deps.scrollbackBytes);
        if (stored) {
          await deps.repo.update(row.id, {
            // A file that lacks the last output (a crash before its flush, a full disk) ends
            // before the row does: keep the row's end, so that readers are told of the gap.
            outputOffset: Math.max(row.outputOffset, stored.start + stored.bytes.length),
            scrollbackStart: stored.start,
          });
        }
      }
      return rows.length;
    },

    async shutdown() {
      // The writes below carry every session's latest size.
      for (const id of [...sizeWrites.keys()]) cancelSizeWrite(id);
      const flushes: Promise<void>[] = [];
      for (const session of live.values()) {
        session.closeViewers("server_stopping");
        if (placement.sessionsOutliveServer) {
          // They go on in the PTY host: store their latest offsets and let go.
          persist(session.snapshot());
          continue;
        }
        if (!session.isRunning) continue;
        flushes.push(session.closeScrollback());
        const snapshot = session.snapshot();
        const endReason = "the server shut down";
        persist({
          ...snapshot,
          state: "interrupted",
          endedAt: new Date(now()).toISOString(),
          endReason,
        });
        record("session.interrupted", snapshot.id, { reason: "server_stop" }, { endReason });
      }
      await Promise.all([storeWaitingRows(), ...flushes]);
      placement.close();
    },

    viewerCount(id) {
      return live.get(id)?.viewerCount ?? 0;
    },

    get outputBytesHeld() {
      let total = 0;
      for (const session of live.values()) total += session.ring.end - session.ring.start;
      return total;
    },

    get liveCount() {
      return live.size;
    },
  };
}

/** How a session ended, for its audit row. */
function exitDetail(session: Session): Record<string, unknown> {
  return {
    state: session.state,
    exitCode: session.exitCode,
    exitSignal: session.exitSignal,
    endReason: session.endReason,
  };
}

/** `since` checked against the output's `end` (ring.end unless the ring lacks its tail). */
function sinceWithin(ring: OutputSource, since: number | undefined, end = ring.end): number {
  if (since === undefined) return ring.start;
  if (since > end) {
    throw new SessionError("since_invalid", `since is past the end of the output (${end})`);
  }
  return since;
}

function defaultName(provider: string, cwd: string): string {
  const folder = cwd.split("/").filter(Boolean).pop() ?? "/";
  return `${provider} · ${folder}`;
}
