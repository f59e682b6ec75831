import { expect, test } from "bun:test";
import { createFakeSink } from "../../test/support/fake-sink.ts";
import { createManualTimers } from "../../test/support/manual-timers.ts";
import type { Session } from "../protocol/session.ts";
import {
  INPUT_BUDGET_BYTES,
  INPUT_LIMIT_BYTES,
  INPUT_RESUME_BYTES,
  LiveSession,
  MIRROR_GRACE_MS,
  REPAINT_MAX_MS,
  STOP_GRACE_MS,
} from "./live-session.ts";
import type { PtyProcess } from "./pty.ts";
import { STALLED_CLOSE_MS } from "./viewer.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const IDLE_AFTER_MS = 5000;

/**
 * A started session over a fake PTY that keeps its own screen (as a PTY host's does, so no
 * terminal emulator runs here), with a ring of `scrollbackBytes` and timers run by hand.
 */
function startSession({ scrollbackBytes = 1024 } = {}) {
  const timers = createManualTimers();
  const pty = {
    pid: 4242,
    input: [] as string[],
    inputBytes: 0,
    sizes: [] as [number, number][],
    signals: [] as string[],
    write(bytes: Uint8Array) {
      pty.inputBytes += bytes.length;
      if (bytes.length < 100) pty.input.push(decoder.decode(bytes));
    },
    resize(cols: number, rows: number) {
      pty.sizes.push([cols, rows]);
    },
    signal(signal: string) {
      pty.signals.push(signal);
    },
    screen: () =>
      Promise.resolve({ offset: session.ring.end, cols: 80, rows: 24, data: "[screen]" }),
  } satisfies PtyProcess & Record<string, unknown>;
  const changes: string[] = [];
  let resizesStored = 0;
  const session: LiveSession = new LiveSession(sessionInfo(), {
    scrollbackBytes,
    snapshotScrollbackLines: 100,
    idleAfterMs: IDLE_AFTER_MS,
    now: timers.now,
    timers,
    onChange: (changed, kind) => changes.push(kind === "exited" ? "exited" : changed.info.state),
    onResize: () => resizesStored++,
    onActivity: () => {},
  });
  session.started(pty, { touch() {}, flush: async () => {}, close: async () => {} });
  const output = (text: string) => session.onData(encoder.encode(text));
  return { session, pty, timers, changes, output, resizesStored: () => resizesStored };
}

function sessionInfo(): Session {
  return {
    id: "s1",
    name: "test",
    provider: "shell",
    cwd: "/",
    args: [],
    state: "starting",
    pid: null,
    exitCode: null,
    exitSignal: null,
    cols: 80,
    rows: 24,
    createdAt: new Date(0).toISOString(),
    startedAt: null,
    endedAt: null,
    lastOutputAt: null,
    outputOffset: 0,
    parentSessionId: null,
    createdBy: null,
    endReason: null,
    conversationId: null,
    bypass: false,
    activity: null,
    worktree: null,
  };
}

test("fans output out to every viewer in order, each from its own offset", () => {
  const { session, output } = startSession();
  const a = createFakeSink();
  session.attach(a, undefined);
  output("abc");
  const b = createFakeSink();
  session.attach(b, 1);
  output("def");
  expect(a.events("hello")[0]).toMatchObject({ offset: 0, bufferStart: 0 });
  expect(b.events("hello")[0]).toMatchObject({ offset: 3, bufferStart: 0 });
  expect(a.output()).toBe("abcdef");
  expect(b.output()).toBe("bcdef");
  expect(session.info.outputOffset).toBe(6);
});

test("a viewer under backpressure holds no one else back, and catches up once drained", () => {
  const { session, output } = startSession();
  const slow = createFakeSink();
  slow.results.push("backpressure");
  const slowAttachment = session.attach(slow, 0);
  const fast = createFakeSink();
  session.attach(fast, 0);
  for (const line of ["one\n", "two\n", "three\n"]) output(line);
  expect(slow.output()).toBe("one\n");
  expect(fast.output()).toBe("one\ntwo\nthree\n");
  slowAttachment.resume();
  expect(slow.output()).toBe("one\ntwo\nthree\n");
});

test("a viewer overtaken by the ring while not reading is closed as stalled; the others go on", () => {
  const { session, output, timers } = startSession({ scrollbackBytes: 16 });
  const slow = createFakeSink();
  slow.results.push("backpressure");
  session.attach(slow, 0);
  const fast = createFakeSink();
  session.attach(fast, 0);
  output("0123456789");
  output("abcdefghij");
  output("klmnopqrst");
  timers.advance(STALLED_CLOSE_MS - 1);
  expect(slow.closed).toBeUndefined();
  timers.advance(1);
  expect(slow.closed).toBe("stalled");
  expect(session.viewerCount).toBe(1);
  output("!");
  expect(fast.output()).toBe("0123456789abcdefghijklmnopqrst!");
  expect(fast.closed).toBeUndefined();
});

test("input past the budget holds the typing viewer until the program takes it", () => {
  const { session, pty } = startSession();
  const sink = createFakeSink();
  const viewer = session.attach(sink, undefined);
  expect(viewer.write(new Uint8Array(INPUT_BUDGET_BYTES))).toBe("written");
  expect(sink.held).toBeUndefined();
  expect(viewer.write(encoder.encode("x"))).toBe("written");
  expect(sink.held).toBe(true);
  expect(sink.events("input")).toEqual([
    { type: "input", state: "waiting", backlog: INPUT_BUDGET_BYTES + 1 },
  ]);
  session.onInputTaken(INPUT_BUDGET_BYTES + 1 - INPUT_RESUME_BYTES);
  expect(sink.held).toBe(false);
  expect(sink.events("input").at(-1)).toEqual({
    type: "input",
    state: "flowing",
    backlog: INPUT_RESUME_BYTES,
  });
  expect(pty.inputBytes).toBe(INPUT_BUDGET_BYTES + 1);
});

test("input that would leave more than INPUT_LIMIT_BYTES waiting is refused, not written", () => {
  const { session, pty } = startSession();
  const viewer = session.attach(createFakeSink(), undefined);
  expect(viewer.write(new Uint8Array(INPUT_LIMIT_BYTES))).toBe("written");
  expect(viewer.write(encoder.encode("x"))).toBe("refused");
  expect(pty.inputBytes).toBe(INPUT_LIMIT_BYTES);
  expect(session.inputBacklog).toBe(INPUT_LIMIT_BYTES);
});

test("terminal query answers reach the program from the primary viewer only", () => {
  const { session, pty } = startSession();
  const first = session.attach(createFakeSink(), undefined);
  const second = session.attach(createFakeSink(), undefined);
  const answer = encoder.encode("\x1b[?1;2c");
  expect(second.write(answer)).toBe("written");
  expect(pty.input).toEqual([]);
  expect(first.write(answer)).toBe("written");
  second.write(encoder.encode("ls\r"));
  second.write(answer);
  first.write(answer);
  expect(pty.input).toEqual(["\x1b[?1;2c", "ls\r", "\x1b[?1;2c"]);
});

test("a read-only viewer never types, resizes or becomes the primary viewer", () => {
  const { session, pty } = startSession();
  const watcher = session.attach(createFakeSink(), undefined, { readOnly: true });
  const typist = session.attach(createFakeSink(), undefined);
  const answer = encoder.encode("\x1b[?1;2c");
  expect(watcher.write(encoder.encode("rm -rf /\r"))).toBe("refused");
  expect(watcher.write(answer)).toBe("refused");
  expect(watcher.resize(33, 11)).toBe(false);
  // The oldest viewer is read-only: the one after it answers the program's queries.
  expect(typist.write(answer)).toBe("written");
  expect(pty.input).toEqual(["\x1b[?1;2c"]);
  typist.detach();
  const later = session.attach(createFakeSink(), undefined);
  later.write(answer);
  expect(pty.input).toEqual(["\x1b[?1;2c", "\x1b[?1;2c"]);
});

test("the exit reaches every viewer after the rest of the output, then they end", () => {
  const { session, output, changes } = startSession();
  const sink = createFakeSink();
  sink.results.push("backpressure");
  const viewer = session.attach(sink, undefined);
  output("work ");
  output("done");
  session.onExit({ exitCode: 0, signal: null });
  expect(changes.at(-1)).toBe("exited");
  expect(sink.closed).toBeUndefined();
  viewer.resume();
  expect(sink.output()).toBe("work done");
  expect(sink.frames.filter((f) => "type" in f).map((f) => ("type" in f ? f.type : ""))).toEqual([
    "hello",
    "state",
    "exit",
  ]);
  expect(sink.events("state")[0]).toMatchObject({ state: "ended" });
  expect(sink.events("exit")).toEqual([{ type: "exit", exitCode: 0, signal: null }]);
  expect(sink.closed).toBe("ended");
  expect(viewer.write(encoder.encode("x"))).toBe("ended");
  expect(viewer.resize(100, 30)).toBe(false);
});

test("the size of the viewer that last typed applies, else the largest; every viewer is told", () => {
  const { session, pty, resizesStored } = startSession();
  const a = createFakeSink();
  const b = createFakeSink();
  const viewerA = session.attach(a, undefined);
  const viewerB = session.attach(b, undefined);
  viewerA.resize(100, 30);
  viewerB.resize(120, 40);
  expect(pty.sizes).toEqual([
    [100, 30],
    [120, 40],
  ]);
  viewerA.write(encoder.encode("typed"));
  expect(pty.sizes.at(-1)).toEqual([100, 30]);
  expect(b.events("resize").at(-1)).toEqual({ type: "resize", cols: 100, rows: 30 });
  viewerA.detach();
  expect(pty.sizes.at(-1)).toEqual([120, 40]);
  expect(session.info).toMatchObject({ cols: 120, rows: 40 });
  expect(resizesStored()).toBe(4);
});

test("a viewer attaching at the PTY's size gets a repaint: a column narrower, then back", () => {
  const { session, pty, timers } = startSession();
  const sink = createFakeSink();
  session.attach(sink, undefined).resize(80, 24);
  expect(pty.sizes).toEqual([[79, 24]]);
  timers.advance(REPAINT_MAX_MS);
  expect(pty.sizes).toEqual([
    [79, 24],
    [80, 24],
  ]);
  expect(sink.events("resize")).toEqual([]);
});

test("goes idle after idleAfterMs without output, and runs again at the next output", () => {
  const { session, output, timers, changes } = startSession();
  const sink = createFakeSink();
  session.attach(sink, undefined);
  timers.advance(IDLE_AFTER_MS - 1000);
  output("tick");
  timers.advance(IDLE_AFTER_MS - 1);
  expect(session.info.state).toBe("running");
  timers.advance(1);
  expect(session.info.state).toBe("idle");
  output("tock");
  expect(changes).toEqual(["running", "idle", "running"]);
  expect(sink.events("state").map((event) => event.state)).toEqual(["idle", "running"]);
});

test("stop hangs up, then kills after STOP_GRACE_MS if the program is still there", () => {
  const { session, pty, timers } = startSession();
  session.stop();
  session.stop();
  expect(pty.signals).toEqual(["SIGHUP", "SIGTERM"]);
  timers.advance(STOP_GRACE_MS);
  expect(pty.signals).toEqual(["SIGHUP", "SIGTERM", "SIGKILL"]);
  session.onExit({ exitCode: null, signal: "SIGKILL" });
  expect(session.info).toMatchObject({ state: "stopped", endReason: "stopped on request" });
});

test("closeViewers ends every viewer for the reason given", () => {
  const { session } = startSession();
  const sinks = [createFakeSink(), createFakeSink()];
  for (const sink of sinks) session.attach(sink, undefined);
  session.closeViewers("deleted");
  expect(sinks.map((sink) => sink.closed)).toEqual(["deleted", "deleted"]);
  expect(session.viewerCount).toBe(0);
});

test("unwatched for MIRROR_GRACE_MS, a hosted session's ring copy is dropped; a viewer gets a snapshot", async () => {
  const { session, output, timers } = startSession();
  output("before");
  timers.advance(MIRROR_GRACE_MS);
  output("after");
  expect(session.ring.end - session.ring.start).toBe(0);
  expect(session.mirrorIsWhole).toBe(false);
  const sink = createFakeSink();
  session.attach(sink, undefined);
  await Promise.resolve();
  expect(sink.events("snapshot")).toEqual([
    { type: "snapshot", offset: 11, cols: 80, rows: 24, bytes: 8 },
  ]);
  output("!");
  expect(sink.output()).toBe("[screen]!");
});
