// A large file diff cut into slices for drawing (web/src/diff/slice-diff.ts), on diffs that git
// itself printed: nothing lost, nothing repeated, each side's lines in order with their numbers,
// runs of changes cut in step on both sides, hunk headers only where a hunk starts.

import { expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { parse } from "diff2html/lib-esm/diff-parser.js";
import type { DiffFile, DiffLine } from "diff2html/lib-esm/types.js";
import { sliceFile } from "../web/src/diff/slice-diff.ts";
import { createRepo } from "./support/git-repo.ts";

/** git's diff of a file of `count` lines after `change` rewrote some of them. */
function gitDiff(count: number, change: (line: number) => string | null): DiffFile {
  const repo = createRepo("diff-slices");
  try {
    const lines = Array.from({ length: count }, (_, i) => `const v${i} = ${i};\n`);
    repo.commit("first", { "a.ts": lines.join("") });
    repo.write("a.ts", lines.map((line, i) => change(i) ?? line).join(""));
    const [file] = parse(repo.git("diff"));
    if (!file) throw new Error("no diff");
    return file;
  } finally {
    rmSync(repo.dir, { recursive: true, force: true });
  }
}

const all = (file: DiffFile) => file.blocks.flatMap((block) => block.lines);
const side = (lines: DiffLine[], type: "delete" | "insert") =>
  lines.filter((line) => line.type !== type).map((line) => line.content);

test("a whole rewrite is cut in step: each slice pairs removed and added lines, none lost", () => {
  const file = gitDiff(1000, (i) => `const v${i} = ${i + 1};\n`);
  expect(all(file)).toHaveLength(2000);
  const slices = sliceFile(file, 200);
  expect(slices).toHaveLength(10);
  for (const [i, slice] of slices.entries()) {
    const lines = all(slice.file);
    expect(slice.lines).toBe(lines.length);
    expect(lines.length).toBe(200);
    // Removed lines i*100.., then the added lines for the same old lines.
    expect(lines.filter((line) => line.type === "delete").map((line) => line.oldNumber)).toEqual(
      Array.from({ length: 100 }, (_, n) => i * 100 + n + 1),
    );
    expect(lines.filter((line) => line.type === "insert").map((line) => line.newNumber)).toEqual(
      Array.from({ length: 100 }, (_, n) => i * 100 + n + 1),
    );
    expect(slice.continued).toBe(i > 0);
    expect(slice.file.blocks[0]?.header.startsWith("@@")).toBe(i === 0);
  }
  // Old side and new side read in order are the file's old and new text.
  const sliced = slices.flatMap((slice) => all(slice.file));
  expect(side(sliced, "insert")).toEqual(side(all(file), "insert"));
  expect(side(sliced, "delete")).toEqual(side(all(file), "delete"));
});

test("hunks keep their headers, slices are at most the size, a small diff is one slice", () => {
  // A change every 20 lines: many hunks of context and changes.
  const file = gitDiff(3000, (i) => (i % 20 === 5 ? `let v${i} = ${i};\n` : null));
  expect(file.blocks.length).toBeGreaterThan(50);
  const slices = sliceFile(file, 100);
  expect(slices.length).toBeGreaterThan(5);
  const headers = slices.flatMap((slice) =>
    slice.file.blocks.map((block) => block.header).filter(Boolean),
  );
  expect(headers).toEqual(file.blocks.map((block) => block.header));
  for (const slice of slices) {
    expect(slice.lines).toBeGreaterThan(0);
    expect(slice.lines).toBeLessThanOrEqual(100);
    // A slice that starts inside a hunk says so, and only then has no header first.
    expect(slice.continued).toBe(slice.file.blocks[0]?.header === "");
  }
  expect(slices.flatMap((slice) => all(slice.file))).toEqual(all(file));
  const small = gitDiff(50, (i) => (i === 3 ? "changed\n" : null));
  expect(sliceFile(small, 100)).toEqual([
    { file: small, lines: all(small).length, continued: false },
  ]);
});
