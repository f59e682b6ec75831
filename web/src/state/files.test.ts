import { expect, test } from "bun:test";
import type { FileEntry, FolderListing } from "../api/files.ts";
import { createFilesBrowser } from "./files.ts";

const entry = (name: string, kind: FileEntry["kind"], target?: FileEntry["target"]): FileEntry => ({
  name,
  kind,
  size: 1,
  modifiedAt: "2026-12-07T00:00:00.000Z",
  hidden: false,
  ...(target ? { target } : {}),
});

/** A browser whose listings and previews wait until the test settles them. */
function browser() {
  const lists = new Map<string, (listing: FolderListing) => void>();
  const files = createFilesBrowser({
    list: (path) => new Promise((resolve) => lists.set(path, resolve)),
    preview: async (path) => ({ text: `text of ${path}`, truncated: false }),
  });
  const answer = (path: string, entries: FileEntry[] = []) =>
    lists.get(path)?.({ path, entries, truncated: false });
  return { files, answer };
}

test("a slower answer for an earlier folder never replaces the later one", async () => {
  const { files, answer } = browser();
  const first = files.go("a");
  const second = files.go("b");
  answer("b");
  await second;
  answer("a");
  await first;
  expect(files.path.value).toBe("b");
});

test("a folder (or a link to one inside) is entered, an image shown, other files previewed", async () => {
  const { files, answer } = browser();
  const root = files.go("");
  answer("", []);
  await root;
  const into = files.open(entry("docs", "symlink", { inside: true, kind: "dir" }));
  answer("docs", [entry("shot.PNG", "file"), entry("notes.md", "file")]);
  await into;
  expect(files.path.value).toBe("docs");
  await files.open(entry("shot.PNG", "file"));
  expect(files.opened.value).toEqual({ kind: "image", path: "docs/shot.PNG" });
  await files.open(entry("notes.md", "file"));
  expect(files.opened.value).toEqual({
    kind: "text",
    path: "docs/notes.md",
    text: "text of docs/notes.md",
    truncated: false,
  });
});

test("a failure is shown and the folder stays", async () => {
  const files = createFilesBrowser({
    list: async () => {
      throw new Error("the path resolves outside the session's folder");
    },
    preview: async () => ({ text: "", truncated: false }),
  });
  await files.go("out");
  expect(files.error.value).toBe("the path resolves outside the session's folder");
  expect(files.path.value).toBe("");
  expect(files.busy.value).toBe(false);
});
