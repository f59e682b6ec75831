import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, openSync, rmSync, statSync, truncateSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Recorder } from "./recorder.ts";
import { castStream, textStream } from "./recording-export.ts";
import { encodeHeader, HEADER_BYTES, RecordingFlags } from "./recording-format.ts";
import { createRecordingStore, type RecordPiece } from "./recording-store.ts";
import { RingBuffer } from "./ring-buffer.ts";

const dir = mkdtempSync(join(tmpdir(), "opendray-recorder-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const store = createRecordingStore(dir);
const encoder = new TextEncoder();

/** A recorder on a fresh file and ring, with a clock the test moves. */
function setUp(limitBytes = 1024 * 1024, ringBytes = 64 * 1024) {
  const id = crypto.randomUUID();
  const fd = openSync(join(dir, `${id}.rec`), "w", 0o600);
  writeSync(fd, encodeHeader({ startedMs: 1_700_000_000_000, cols: 80, rows: 24, flags: 0 }));
  const ring = new RingBuffer(ringBytes);
  const clock = { ms: 1000 };
  const recorder = new Recorder(
    fd,
    ring,
    { cols: 80, rows: 24 },
    limitBytes,
    () => {},
    () => clock.ms,
  );
  const print = (text: string | Uint8Array) => {
    const bytes = typeof text === "string" ? encoder.encode(text) : text;
    recorder.willAppend(bytes.length);
    ring.append(bytes);
    recorder.output(bytes.length);
  };
  return { id, recorder, ring, clock, print, path: join(dir, `${id}.rec`) };
}

async function piecesOf(id: string): Promise<RecordPiece[]> {
  const recording = await store.read(id);
  if (!recording) throw new Error("no recording");
  const out: RecordPiece[] = [];
  for await (const piece of recording.pieces()) out.push(piece);
  return out;
}

const textOf = (pieces: RecordPiece[]) =>
  Buffer.concat(pieces.flatMap((p) => (p.kind === "output" ? [p.bytes] : []))).toString();

test("output within 10 ms of a run's start joins it; a later run has its time; a resize to the same size is left out", async () => {
  const { id, recorder, clock, print } = setUp();
  print("a");
  clock.ms += 5;
  print("b");
  clock.ms += 20;
  print("c");
  recorder.resize(80, 24);
  recorder.resize(100, 30);
  recorder.resize(100, 30);
  print("d");
  await recorder.close();
  const pieces = await piecesOf(id);
  expect(
    pieces.map((p) => (p.kind === "output" ? [p.timeMs, Buffer.from(p.bytes).toString()] : p)),
  ).toEqual([[0, "ab"], [25, "c"], { kind: "resize", timeMs: 25, cols: 100, rows: 30 }, [25, "d"]]);
});

test("a flush leaves nothing waiting: output after it is recorded by the next", async () => {
  const { id, recorder, clock, print } = setUp();
  print("one ");
  recorder.flush();
  clock.ms += 3;
  print("two");
  await recorder.close();
  const pieces = await piecesOf(id);
  expect(textOf(pieces)).toBe("one two");
  expect(pieces.map((p) => p.timeMs)).toEqual([0, 3]);
});

test("at the limit the recording keeps its beginning, stops, and its header says so", async () => {
  const { id, recorder, print, path } = setUp(HEADER_BYTES + 100);
  print("x".repeat(60));
  recorder.flush();
  print("y".repeat(60));
  print("z".repeat(60));
  await recorder.close();
  expect(statSync(path).size).toBe(HEADER_BYTES + 100);
  const recording = await store.read(id);
  expect(recording?.header.flags).toBe(RecordingFlags.limit);
  expect(textOf(await piecesOf(id))).toBe(`${"x".repeat(60)}${"y".repeat(100 - 60 - 26)}`);
});

test("reads that fill half the ring before a timer runs are copied at once, never lost", async () => {
  const { id, recorder, print } = setUp(1024 * 1024, 4096);
  const reads = ["a", "b", "c", "d", "e", "f"].map((letter) => letter.repeat(1500));
  for (const read of reads) print(read);
  await recorder.close();
  expect((await store.read(id))?.header.flags).toBe(0);
  expect(textOf(await piecesOf(id))).toBe(reads.join(""));
});

test("a read that would turn the ring over has what waits copied first", async () => {
  const { id, recorder, print } = setUp(1024 * 1024, 4096);
  // 1500 waits (under half the ring), then one read of 3000: the ring keeps only 4096.
  const reads = ["a".repeat(1500), "b".repeat(3000), "c".repeat(10)];
  for (const read of reads) print(read);
  await recorder.close();
  expect((await store.read(id))?.header.flags).toBe(0);
  expect(textOf(await piecesOf(id))).toBe(reads.join(""));
});

test("a read larger than the ring stops the recording where it was whole", async () => {
  const { id, recorder, print } = setUp(1024 * 1024, 4096);
  print("kept");
  recorder.flush();
  print("a".repeat(5000));
  await recorder.close();
  expect((await store.read(id))?.header.flags).toBe(RecordingFlags.overrun);
  expect(textOf(await piecesOf(id))).toBe("kept");
});

test("a file cut inside a record (a crash) is read up to the cut", async () => {
  const { id, recorder, clock, print, path } = setUp();
  print("first");
  clock.ms += 50;
  print("second");
  await recorder.close();
  truncateSync(path, statSync(path).size - 3);
  expect(textOf(await piecesOf(id))).toBe("firstsec");
});

test("the asciicast keeps split UTF-8 whole, invalid bytes as U+FFFD, and caps pauses", async () => {
  const { id, recorder, clock, print } = setUp();
  const han = encoder.encode("中");
  print(han.subarray(0, 2));
  clock.ms += 100;
  print(han.subarray(2));
  clock.ms += 10_000;
  print("late");
  clock.ms += 100;
  print(Uint8Array.of(0x62, 0xff, 0xe4, 0x62));
  await recorder.close();
  const recording = await store.read(id);
  if (!recording) throw new Error("no recording");
  const text = await new Response(castStream(recording, { title: "t", idleLimitS: 2 })).text();
  const [header, ...events] = text
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
  expect(header).toEqual({
    version: 2,
    width: 80,
    height: 24,
    timestamp: 1_700_000_000,
    idle_time_limit: 2,
    title: "t",
    env: { TERM: "xterm-256color" },
  });
  expect(events).toEqual([
    [0.1, "o", "中"],
    [2.1, "o", "late"],
    [2.2, "o", "b\ufffd\ufffdb"],
  ]);
});

test("the text export hands out every line once, in order, however many scrolled away", async () => {
  const { id, recorder, print } = setUp(16 * 1024 * 1024, 1024 * 1024);
  const lines = Array.from({ length: 5000 }, (_, i) => `line ${i}`);
  print(`${lines.join("\r\n")}\r\n`);
  print("working 10%\rworking 50%\rdone       \r\n");
  await recorder.close();
  const recording = await store.read(id);
  if (!recording) throw new Error("no recording");
  const text = await new Response(textStream(recording)).text();
  expect(text).toBe(`${lines.join("\n")}\ndone\n`);
});
