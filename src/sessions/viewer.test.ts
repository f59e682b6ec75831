import { expect, test } from "bun:test";
import { createFakeSink } from "../../test/support/fake-sink.ts";
import { createManualTimers } from "../../test/support/manual-timers.ts";
import type { ServerEvent } from "../protocol/stream.ts";
import { RingBuffer } from "./ring-buffer.ts";
import type { ScreenSnapshot } from "./screen.ts";
import type { Timers } from "./timers.ts";
import { type Feed, type SendResult, STALLED_CLOSE_MS, Viewer } from "./viewer.ts";

const encoder = new TextEncoder();
const hello = (offset: number, bufferStart = 0) =>
  ({ type: "hello", session: {}, offset, bufferStart }) as unknown as ServerEvent;

/** A feed over a ring of `capacity` bytes holding `text`, with a snapshot when one is given. */
function feedOf(
  text: string,
  { capacity = 64, snapshot }: { capacity?: number; snapshot?: () => ScreenSnapshot } = {},
) {
  const ring = new RingBuffer(capacity);
  ring.append(encoder.encode(text));
  const released: Viewer[] = [];
  const feed: Feed & { exit: Feed["exit"] } = {
    ring,
    exit: undefined,
    release: (viewer) => released.push(viewer),
    ...(snapshot ? { screenSnapshot: () => Promise.resolve(snapshot()) } : {}),
  };
  return { ring, feed, released, append: (more: string) => ring.append(encoder.encode(more)) };
}

/** A viewer from offset 0 over `fed`, started at `offset`; its sink answers the first frame `first`. */
function watch(
  fed: ReturnType<typeof feedOf>,
  offset: number,
  first?: SendResult,
  timers?: Timers,
) {
  const sink = createFakeSink();
  if (first) sink.results.push(first);
  const viewer = new Viewer(fed.feed, sink, 0, timers);
  viewer.start(hello(offset));
  /** More output, and the viewer told of it. */
  const write = (more: string) => {
    fed.append(more);
    viewer.notify();
  };
  return { sink, viewer, write };
}

test("replays from an offset still held, after hello", () => {
  const { feed } = feedOf("hello world");
  const sink = createFakeSink();
  new Viewer(feed, sink, 6).start(hello(11));
  expect(sink.frames).toEqual([hello(11), { output: "world" }]);
});

test("a viewer from before the ring's start is told what was lost, then gets the rest", () => {
  const { feed } = feedOf("0123456789abcdef", { capacity: 10 });
  const sink = createFakeSink();
  new Viewer(feed, sink, 2).start(hello(16, 6));
  expect(sink.frames).toEqual([
    hello(16, 6),
    { type: "truncated", from: 2, to: 6 },
    { output: "6789" },
    { output: "abcdef" },
  ]);
});

test("new output reaches the viewer in order, each byte once", () => {
  const { sink, viewer, write } = watch(feedOf("ab"), 2);
  write("cd");
  write("e");
  viewer.notify();
  expect(sink.output()).toBe("abcde");
});

test("a sink under backpressure is sent nothing more until it drains", () => {
  const { sink, viewer, write } = watch(feedOf("one "), 4, "backpressure");
  write("two ");
  write("three");
  expect(sink.output()).toBe("one ");
  viewer.resume();
  expect(sink.output()).toBe("one two three");
});

test("a frame the sink dropped is sent again once it drains", () => {
  const { sink, viewer } = watch(feedOf("lost? "), 6, "dropped");
  expect(sink.output()).toBe("");
  viewer.resume();
  expect(sink.output()).toBe("lost? ");
});

test("overtaken with no snapshot to give, a viewer is closed at once as overtaken", () => {
  const fed = feedOf("0123", { capacity: 8 });
  const { sink, viewer, write } = watch(fed, 4, "backpressure");
  write("456789abcd");
  expect(sink.closed).toBe("overtaken");
  expect(fed.released).toEqual([viewer]);
});

test("overtaken while not reading, a viewer is closed as stalled after STALLED_CLOSE_MS", () => {
  const timers = createManualTimers();
  const snapshot = () => ({ offset: 14, cols: 80, rows: 24, data: "screen" });
  const { sink, write } = watch(
    feedOf("0123", { capacity: 8, snapshot }),
    4,
    "backpressure",
    timers,
  );
  write("456789abcd");
  expect(sink.closed).toBeUndefined();
  timers.advance(STALLED_CLOSE_MS - 1);
  expect(sink.closed).toBeUndefined();
  timers.advance(1);
  expect(sink.closed).toBe("stalled");
  expect(timers.pending).toBe(0);
});

test("overtaken, a viewer that reads again in time resyncs from a snapshot", async () => {
  const timers = createManualTimers();
  const fed = feedOf("0123", {
    capacity: 8,
    snapshot: () => ({ offset: fed.ring.end, cols: 80, rows: 24, data: "[screen]" }),
  });
  const { sink, viewer, write } = watch(fed, 4, "backpressure", timers);
  write("456789abcd");
  viewer.resume();
  expect(timers.pending).toBe(0);
  expect(viewer.catchingUp).toBe(true);
  await Promise.resolve();
  write("live");
  expect(sink.frames.slice(2, 5)).toEqual([
    { type: "truncated", from: 4, to: 6 },
    { type: "snapshot", offset: 14, cols: 80, rows: 24, bytes: 8 },
    { output: "[screen]" },
  ]);
  expect(sink.output()).toBe("0123[screen]live");
  expect(viewer.catchingUp).toBe(false);
  expect(sink.closed).toBeUndefined();
});

test("a snapshot the sink could not queue closes the viewer as overtaken", async () => {
  const { feed, ring } = feedOf("x".repeat(20), {
    capacity: 8,
    snapshot: () => ({ offset: ring.end, cols: 80, rows: 24, data: "screen" }),
  });
  const sink = createFakeSink();
  sink.results.push("dropped");
  new Viewer(feed, sink, 0).start(hello(20, 12), true);
  await Promise.resolve();
  expect(sink.events("snapshot")).toHaveLength(1);
  expect(sink.closed).toBe("overtaken");
});

test("a finished feed sends the rest, what its file lacks as truncated, exit, then ends", () => {
  const { feed, released } = feedOf("last words");
  feed.exit = { exitCode: 3, signal: null };
  const finished: Feed = { ...feed, end: 14 };
  const sink = createFakeSink();
  const viewer = new Viewer(finished, sink, 5);
  viewer.start(hello(14));
  expect(sink.frames).toEqual([
    hello(14),
    { output: "words" },
    { type: "truncated", from: 10, to: 14 },
    { type: "exit", exitCode: 3, signal: null },
  ]);
  expect(sink.closed).toBe("ended");
  expect(released).toEqual([viewer]);
});

test("a viewer ends once: later ends, events and detaches do nothing", () => {
  const { feed, released } = feedOf("");
  const sink = createFakeSink();
  const viewer = new Viewer(feed, sink, 0);
  viewer.start(hello(0));
  viewer.end("deleted");
  viewer.end("server_stopping");
  viewer.detach();
  viewer.event({ type: "pong" });
  expect(sink.closed).toBe("deleted");
  expect(sink.events("pong")).toEqual([]);
  expect(released).toEqual([viewer]);
});
