import { expect, test } from "bun:test";
import { formatLine } from "./log.ts";

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
