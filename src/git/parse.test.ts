import { describe, expect, test } from "bun:test";
import { parseRawNumstat, parseStatus, splitPatch } from "./parse.ts";

describe("parseStatus", () => {
  test("reads the branch, each kind of entry, and paths with spaces and a rename's origin", () => {
    const output = [
      "# branch.oid 1234567890abcdef1234567890abcdef12345678",
      "# branch.head main",
      "# branch.upstream origin/main",
      "1 .M N... 100644 100644 100644 aaaa aaaa src/a file.ts",
      "2 R. N... 100644 100644 100644 bbbb bbbb R100 new name.md",
      "old name.md",
      "u UU N... 100644 100644 100644 100644 c1 c2 c3 both.txt",
      "? loose dir/x.py",
      "",
    ].join("\0");
    expect(parseStatus(output)).toEqual({
      head: "1234567890abcdef1234567890abcdef12345678",
      branch: "main",
      entries: [
        { path: "src/a file.ts", index: ".", worktree: "M", kind: "tracked" },
        { path: "new name.md", index: "R", worktree: ".", kind: "tracked" },
        { path: "both.txt", index: "U", worktree: "U", kind: "conflicted" },
        { path: "loose dir/x.py", index: ".", worktree: "?", kind: "untracked" },
      ],
    });
  });

  test("an unborn branch has no head; a detached HEAD no branch", () => {
    expect(parseStatus("# branch.oid (initial)\0# branch.head main\0")).toMatchObject({
      head: null,
      branch: "main",
    });
    expect(parseStatus("# branch.oid abc\0# branch.head (detached)\0")).toMatchObject({
      head: "abc",
      branch: null,
    });
  });
});

describe("parseRawNumstat", () => {
  test("pairs each raw record with its numstat, renames and binaries included", () => {
    const output = [
      ":100644 100644 aaa bbb M",
      "a b.ts",
      ":100644 100644 ccc ddd R087",
      "old.md",
      "new.md",
      ":100644 000000 eee 000 D",
      "gone.bin",
      "3\t1\ta b.ts",
      "2\t2\t",
      "old.md",
      "new.md",
      "-\t-\tgone.bin",
      "",
    ].join("\0");
    expect(parseRawNumstat(output)).toEqual([
      { path: "a b.ts", oldPath: null, kind: "modified", additions: 3, deletions: 1 },
      { path: "new.md", oldPath: "old.md", kind: "renamed", additions: 2, deletions: 2 },
      { path: "gone.bin", oldPath: null, kind: "deleted", additions: null, deletions: null },
    ]);
  });

  test("no output is no file", () => {
    expect(parseRawNumstat("")).toEqual([]);
  });
});

describe("splitPatch", () => {
  test("cuts at each diff --git line, never at one inside the content", () => {
    const first = "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-diff --git a/y b/y\n+z\n";
    const second = "diff --git a/y b/y\n--- a/y\n+++ b/y\n@@ -1 +1 @@\n-a\n+b\n";
    expect(splitPatch(first + second)).toEqual([first, second]);
    expect(splitPatch("")).toEqual([]);
  });
});
