import { describe, expect, test } from "bun:test";
import { OutputLines } from "./output-lines.ts";

const encode = (text: string) => new TextEncoder().encode(text);

/** All lines of `text` fed in pieces of `step` bytes, then ended. */
function linesOf(text: string, step = Number.POSITIVE_INFINITY) {
  const bytes = encode(text);
  const lines = new OutputLines(0);
  const out = [];
  for (let at = 0; at < bytes.length; at += step) {
    out.push(...lines.push(bytes.subarray(at, Math.min(bytes.length, at + step)), at));
  }
  out.push(...lines.end(bytes.length));
  return out;
}

describe("output lines", () => {
  test.each([
    ["colours are removed", "\x1b[31mzebra\x1b[0m apple\n", ["zebra apple"]],
    ["a carriage return keeps the final form", "10%\r55%\r100% done\n", ["100% done"]],
    ["erase in line after a carriage return", "long old text\r\x1b[Knew\n", ["new"]],
    ["backspace overwrites", "cat\b\bow\n", ["cow"]],
    [
      "OSC titles and hyperlinks vanish",
      "\x1b]0;title\x07a \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\\n",
      ["a link"],
    ],
    ["cursor moves to another row split lines", "\x1b[1;1Htop\x1b[2;1Hbottom\n", ["top", "bottom"]],
    ["blank lines are skipped", "\n\n   \nword\n", ["word"]],
    ["an unfinished last line counts", "one\ntwo", ["one", "two"]],
    ["charset designations vanish", "\x1b(Bplain\n", ["plain"]],
    ["tabs become spaces", "a\tb\n", ["a       b"]],
  ])("%s", (_name, text, expected) => {
    expect(linesOf(text).map((line) => line.text)).toEqual(expected);
  });

  test("a progress bar redrawn a thousand times is one line", () => {
    let text = "";
    for (let i = 1; i <= 1000; i++) text += `\rprogress ${i}/1000 ${"#".repeat(i % 40)}`;
    // As a terminal shows it: the last draw over the longest earlier one (no erase).
    expect(linesOf(`${text}\n`, 7).map((line) => line.text)).toEqual([
      `progress 1000/1000 ${"#".repeat(38)}`,
    ]);
  });

  test("UTF-8 split across pushes decodes whole", () => {
    expect(linesOf("café 中文 🦓\n", 1).map((line) => line.text)).toEqual(["café 中文 🦓"]);
  });

  test("lines carry the offset where they began", () => {
    expect(linesOf("ab\ncd\n")).toEqual([
      { text: "ab", offset: 0 },
      { text: "cd", offset: 3 },
    ]);
  });

  test("a line seen lately is not repeated", () => {
    expect(linesOf("same\nother\nsame\n").map((line) => line.text)).toEqual(["same", "other"]);
  });

  test("a gap ends the line being built and resumes at its offset", () => {
    const lines = new OutputLines(0);
    expect(lines.push(encode("half"), 0)).toEqual([]);
    expect(lines.gap(100)).toEqual([{ text: "half", offset: 0 }]);
    expect(lines.pendingFrom).toBe(100);
    expect(lines.push(encode("x\n"), 100)).toEqual([{ text: "x", offset: 100 }]);
  });
});
