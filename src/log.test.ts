import { expect, test } from "bun:test";
import { closeSync, openSync } from "node:fs";
import pino from "pino";
import { createErrorReporter, createLogger, formatLine } from "./log.ts";

const at = new Date(2026, 0, 2, 3, 4, 5).getTime();

test("a JSON entry becomes time, level, message and key=value pairs", () => {
  const line = JSON.stringify({
    level: 30,
    time: at,
    url: "http://127.0.0.1:8640",
    n: 2,
    msg: "listening",
  });
  expect(formatLine(line)).toBe("03:04:05 INFO  listening url=http://127.0.0.1:8640 n=2\n");
});

test("an error's stack follows on indented lines", () => {
  const line = JSON.stringify({
    level: 50,
    time: at,
    err: { type: "Error", message: "boom", stack: "Error: boom\n    at f (x.ts:1:1)" },
    msg: "shutdown failed",
  });
  expect(formatLine(line)).toBe(
    "03:04:05 ERROR shutdown failed\n  Error: boom\n      at f (x.ts:1:1)\n",
  );
});

test("a line that is not JSON passes through unchanged", () => {
  expect(formatLine("plain text\n")).toBe("plain text\n");
});

test("logging to a device that is full never throws", () => {
  const full = openSync("/dev/full", "w");
  try {
    const logger = createLogger("info", { fd: full });
    for (let i = 0; i < 1000; i += 1) logger.error({ err: new Error("boom"), i }, "a failure");
  } finally {
    closeSync(full);
  }
});

test("the same failure repeated is one line, then one line with the count", async () => {
  const lines: Record<string, unknown>[] = [];
  let arrived: (() => void) | undefined;
  const logger = pino(
    { base: undefined },
    {
      write(line: string) {
        lines.push(JSON.parse(line));
        arrived?.();
      },
    },
  );
  const report = createErrorReporter(logger, { windowMs: 50 });
  const full = Object.assign(new Error("ENOSPC: no space left on device, write"), {
    code: "ENOSPC",
  });
  for (let i = 0; i < 5; i += 1) report(full, "writing scrollback");
  report(new Error("EACCES"), "writing scrollback");
  report(full, "saving session");
  expect(lines.map((line) => line.msg)).toEqual([
    "writing scrollback",
    "writing scrollback",
    "saving session",
  ]);
  await new Promise<void>((resolve) => {
    arrived = resolve;
  });
  expect(lines[3]).toMatchObject({
    msg: "writing scrollback (failed 4 more times in 0.05 s)",
    repeats: 4,
  });
  // The next window counts from there; disposing logs what it counted so far.
  report(full, "writing scrollback");
  report(full, "writing scrollback");
  report.dispose();
  expect(lines.slice(4).map((line) => line.msg)).toEqual([
    "writing scrollback (failed 2 more times in 0.05 s)",
  ]);
});
