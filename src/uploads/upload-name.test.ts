import { describe, expect, test } from "bun:test";
import {
  bracketedPaste,
  dirSegments,
  nameProblem,
  numberedName,
  shellQuote,
} from "./upload-name.ts";

describe("nameProblem", () => {
  test.each([
    "shot.png",
    "Screenshot 2026-12-07 at 10.00.00.png",
    "é.txt",
    "a..b",
    "x".repeat(240),
  ])("accepts %j", (name) => expect(nameProblem(name)).toBeUndefined());
  test.each([
    "",
    "..",
    ".",
    ".git",
    "a/b",
    "a\\b",
    "a\0b",
    "a\nb",
    "a\u009bb",
    " lead",
    "x".repeat(241),
  ])("refuses %j", (name) => expect(nameProblem(name)).toBeString());
});

describe("dirSegments", () => {
  test("splits a relative folder, ignoring empty segments", () => {
    expect(dirSegments("a//b/")).toEqual({ segments: ["a", "b"] });
    expect(dirSegments(".opendray/uploads/x")).toEqual({ segments: [".opendray", "uploads", "x"] });
  });
  test.each(["/abs", "..", "a/../b", "./a", ".git/hooks", ".opendray", "a/.ssh", "a\0"])(
    "refuses %j",
    (dir) => expect("problem" in dirSegments(dir)).toBe(true),
  );
});

test("numbered names keep the extension", () => {
  expect(numberedName("shot.png", 1)).toBe("shot (1).png");
  expect(numberedName("README", 2)).toBe("README (2)");
  expect(numberedName("a.tar.gz", 3)).toBe("a.tar (3).gz");
});

test("paths are quoted for a shell only when they need it", () => {
  expect(shellQuote("/tmp/a-b_c.png")).toBe("/tmp/a-b_c.png");
  expect(shellQuote("/tmp/a b.png")).toBe("'/tmp/a b.png'");
  expect(shellQuote("/tmp/it's $HOME.png")).toBe(`'/tmp/it'\\''s $HOME.png'`);
  expect(bracketedPaste("x")).toBe("\x1b[200~x\x1b[201~");
});
