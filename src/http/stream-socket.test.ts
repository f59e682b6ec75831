import { expect, test } from "bun:test";
import { CloseCode, type ServerEvent } from "../protocol/stream.ts";
import type { Attachment, InputResult } from "../sessions/live-session.ts";
import type { SessionManager } from "../sessions/manager.ts";
import type { ViewerEndReason, ViewerSink } from "../sessions/viewer.ts";
import { createMetrics } from "./metrics.ts";
import type { Socket } from "./socket-hub.ts";
import { STREAM_CLOSE } from "./stream-close.ts";
import { createStreamSocket } from "./stream-socket.ts";

/** A WebSocket as Bun's ServerWebSocket behaves for the stream: what it was sent, how it closed. */
function fakeSocket() {
  const ws = {
    events: [] as ServerEvent[],
    binary: [] as number[],
    closed: undefined as { code: number; reason: string } | undefined,
    paused: false,
    buffered: 0,
    /** What sendBinary returns: bytes sent, -1 backpressure, 0 dropped. */
    sendStatus: undefined as number | undefined,
    sendText(text: string) {
      ws.events.push(JSON.parse(text));
      return text.length;
    },
    sendBinary(bytes: Uint8Array) {
      ws.binary.push(bytes.length);
      return ws.sendStatus ?? bytes.length;
    },
    close(code: number, reason: string) {
      ws.closed ??= { code, reason };
    },
    getBufferedAmount: () => ws.buffered,
    pause() {
      ws.paused = true;
    },
    resume() {
      ws.paused = false;
    },
  };
  return ws;
}

/** A stream socket over a manager whose attach is answered when the test says. */
function openStream({ canWrite = true, input = "written" as InputResult } = {}) {
  const ws = fakeSocket();
  const written: string[] = [];
  const resized: [number, number][] = [];
  const attachment: Attachment & { resumed: number; detached: boolean } = {
    resumed: 0,
    detached: false,
    write(bytes) {
      written.push(new TextDecoder().decode(bytes));
      return input;
    },
    resize(cols, rows) {
      resized.push([cols, rows]);
      return input !== "ended";
    },
    resume() {
      attachment.resumed++;
    },
    detach() {
      attachment.detached = true;
    },
  };
  let sink: ViewerSink | undefined;
  let ready: (attachment: Attachment) => void = () => {};
  let refuse: (error: unknown) => void = () => {};
  const manager = {
    attach(_id: string, _since: number | undefined, viewerSink: ViewerSink) {
      sink = viewerSink;
      return new Promise<Attachment>((resolve, reject) => {
        ready = resolve;
        refuse = reject;
      });
    },
  } as unknown as SessionManager;
  const errors: string[] = [];
  const metrics = createMetrics();
  const handler = createStreamSocket({
    manager,
    sessionId: "s1",
    since: undefined,
    canWrite,
    metrics,
    onError: (_error, context) => errors.push(context),
  });
  const socket = ws as unknown as Socket;
  handler.open(socket);
  return {
    ws,
    handler,
    socket,
    metrics,
    errors,
    written,
    resized,
    attachment,
    sink: () => sink as ViewerSink,
    /** The session is attached: early messages are handled, later ones at once. */
    attached: async () => {
      ready(attachment);
      await Promise.resolve();
    },
    failed: async () => {
      refuse(new Error("gone"));
      await Promise.resolve();
    },
    send: (message: string | Buffer) => handler.message(socket, message),
  };
}

test.each(Object.entries(STREAM_CLOSE))(
  "a viewer the session ends as %s is closed with its code",
  async (reason, frame) => {
    const stream = openStream();
    await stream.attached();
    stream.sink().close(reason as ViewerEndReason);
    expect(stream.ws.closed).toEqual(frame);
  },
);

test("the codes clients act on: 1000 ended, 4008 behind, 4004 deleted, 1001 going away", () => {
  const codes = Object.fromEntries(
    Object.entries(STREAM_CLOSE).map(([reason, { code }]) => [reason, code]),
  );
  expect(codes).toEqual({
    ended: CloseCode.normal,
    overtaken: CloseCode.tooSlow,
    stalled: CloseCode.tooSlow,
    deleted: CloseCode.sessionDeleted,
    server_stopping: CloseCode.goingAway,
    host_lost: CloseCode.goingAway,
  });
});

test("a viewer closed while its socket is congested is closed once the socket drains", async () => {
  const stream = openStream();
  await stream.attached();
  stream.ws.buffered = 1000;
  stream.sink().close("stalled");
  expect(stream.ws.closed).toBeUndefined();
  stream.send("garbage that is ignored");
  expect(stream.ws.events).toEqual([]);
  stream.handler.drain(stream.socket);
  expect(stream.ws.closed).toEqual({ code: 4008, reason: STREAM_CLOSE.stalled.reason });
  expect(stream.attachment.resumed).toBe(0);
});

test("output sends report Bun's answer: sent, backpressure (counted) or dropped", () => {
  const stream = openStream();
  const sink = stream.sink();
  const bytes = new Uint8Array(10);
  expect(sink.sendOutput(bytes)).toBe("sent");
  stream.ws.sendStatus = -1;
  expect(sink.sendOutput(bytes)).toBe("backpressure");
  stream.ws.sendStatus = 0;
  expect(sink.sendOutput(bytes)).toBe("dropped");
  expect(stream.metrics.streamBytesOut).toBe(20);
});

test("a drained socket resumes the viewer's output", async () => {
  const stream = openStream();
  await stream.attached();
  stream.handler.drain(stream.socket);
  expect(stream.attachment.resumed).toBe(1);
});

test("messages sent before the session is attached are handled once it is, in order", async () => {
  const stream = openStream();
  stream.send(Buffer.from("ls"));
  stream.send(JSON.stringify({ type: "resize", cols: 100, rows: 30 }));
  stream.send(Buffer.from("\r"));
  expect(stream.written).toEqual([]);
  await stream.attached();
  expect(stream.written).toEqual(["ls", "\r"]);
  expect(stream.resized).toEqual([[100, 30]]);
});

test("input the session refuses is reported as input_refused; the socket stays open", async () => {
  const stream = openStream({ input: "refused" });
  await stream.attached();
  stream.send(Buffer.from("too much"));
  expect(stream.ws.events).toMatchObject([{ type: "error", code: "input_refused" }]);
  expect(stream.ws.closed).toBeUndefined();
});

test("input and resizes for a session that ended are answered session_not_running", async () => {
  const stream = openStream({ input: "ended" });
  await stream.attached();
  stream.send(Buffer.from("x"));
  stream.send(JSON.stringify({ type: "resize", cols: 100, rows: 30 }));
  expect(stream.ws.events.map((event) => event.type === "error" && event.code)).toEqual([
    "session_not_running",
    "session_not_running",
  ]);
});

test("viewers cannot type or resize", async () => {
  const stream = openStream({ canWrite: false });
  await stream.attached();
  stream.send(Buffer.from("x"));
  stream.send(JSON.stringify({ type: "resize", cols: 100, rows: 30 }));
  expect(stream.written).toEqual([]);
  expect(stream.resized).toEqual([]);
  expect(stream.ws.events.map((event) => event.type === "error" && event.code)).toEqual([
    "forbidden",
    "forbidden",
  ]);
});

test("ping is answered pong; text that is not a message is an invalid_message error", async () => {
  const stream = openStream();
  await stream.attached();
  stream.send(JSON.stringify({ type: "ping" }));
  stream.send("{not json");
  stream.send(JSON.stringify({ type: "resize", cols: 0, rows: 30 }));
  expect(
    stream.ws.events.map((event) => (event.type === "error" ? event.code : event.type)),
  ).toEqual(["pong", "invalid_message", "invalid_message"]);
  expect(stream.ws.closed).toBeUndefined();
});

test("the session holding input back pauses reading the socket until it flows", async () => {
  const stream = openStream();
  await stream.attached();
  stream.sink().holdInput(true);
  expect(stream.ws.paused).toBe(true);
  stream.sink().holdInput(false);
  expect(stream.ws.paused).toBe(false);
});

test("a failed attach is logged, reported as internal_error and closed 1011", async () => {
  const stream = openStream();
  await stream.failed();
  expect(stream.errors).toEqual(["attaching to session s1"]);
  expect(stream.ws.events).toMatchObject([{ type: "error", code: "internal_error" }]);
  expect(stream.ws.closed).toEqual({ code: 1011, reason: "internal error" });
});

test("closing the socket detaches the viewer and counts it gone", async () => {
  const stream = openStream();
  await stream.attached();
  expect(stream.metrics.streamViewers).toBe(1);
  stream.handler.close(stream.socket, 1000, "");
  expect(stream.attachment.detached).toBe(true);
  expect(stream.metrics.streamViewers).toBe(0);
});
