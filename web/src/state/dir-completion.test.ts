import { expect, test } from "bun:test";
import { createDirCompletion } from "./dir-completion.ts";

const LISTING: Record<string, { dirs: string[]; truncated: boolean }> = {
  "/": { dirs: ["/etc", "/home", "/usr", "/var"], truncated: false },
  "/home/": { dirs: ["/home/ann", "/home/bob"], truncated: false },
  "/home/.c": { dirs: ["/home/.cache", "/home/.config"], truncated: false },
  "/big/": { dirs: ["/big/a1"], truncated: true },
  "/big/b": { dirs: ["/big/b7"], truncated: false },
};

function completion() {
  const asked: string[] = [];
  const dirs = createDirCompletion(
    {
      completeDirs: async (prefix) => {
        asked.push(prefix);
        return LISTING[prefix] ?? { dirs: [], truncated: false };
      },
    },
    { debounceMs: 0 },
  );
  return { asked, dirs };
}

test("one read per folder: later keys typed in it are filtered locally", async () => {
  const { asked, dirs } = completion();
  await dirs.complete("/h");
  expect(dirs.dirs.value).toEqual(["/home"]);
  await dirs.complete("/u");
  expect(dirs.dirs.value).toEqual(["/usr"]);
  await dirs.complete("/home/");
  await dirs.complete("/home/b");
  expect(dirs.dirs.value).toEqual(["/home/bob"]);
  expect(asked).toEqual(["/", "/home/"]);
});

test("hidden folders and truncated listings are asked for exactly", async () => {
  const { asked, dirs } = completion();
  await dirs.complete("/home/.c");
  expect(dirs.dirs.value).toEqual(["/home/.cache", "/home/.config"]);
  await dirs.complete("/big/b");
  expect(dirs.dirs.value).toEqual(["/big/b7"]);
  expect(asked).toEqual(["/home/.c", "/big/", "/big/b"]);
});

test("relative paths complete to nothing and ask nothing", async () => {
  const { asked, dirs } = completion();
  await dirs.complete("home");
  expect(dirs.dirs.value).toEqual([]);
  expect(asked).toEqual([]);
});

test("a call replaced before its look-up resolves at once and asks nothing", async () => {
  const { asked, dirs } = completion();
  const first = dirs.complete("/h");
  await dirs.complete("/u");
  await first;
  expect(asked).toEqual(["/"]);
  expect(dirs.dirs.value).toEqual(["/usr"]);
});
