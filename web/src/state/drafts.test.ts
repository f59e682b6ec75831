import { expect, test } from "bun:test";
import { createDraftsStore, keysToText } from "./drafts.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

/** localStorage's interface over a Map. */
function memoryStorage(): Storage {
  const map = new Map<string, string>();
  return {
    get length() {
      return map.size;
    },
    key: (i) => [...map.keys()][i] ?? null,
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
    clear: () => map.clear(),
  };
}

test.each([
  ["plain text", "echo hi", "echo hi"],
  ["Enter becomes a line break; the last one is dropped", "ls\rpwd\r", "ls\npwd"],
  ["Backspace removes the character before it", "lx\x7fs", "ls"],
  ["arrows, Ctrl-C and Alt keys are dropped", "a\x1b[A\x1bOB\x03\x1bbc", "ac"],
  ["multi-byte characters survive Backspace whole", "né\x7fe", "ne"],
])("keysToText: %s", (_name, keys, text) => {
  expect(keysToText(keys)).toBe(text);
});

test("drafts are kept per session, rescued keys are appended and marked, sign-out clears all", () => {
  const storage = memoryStorage();
  storage.setItem("opendray.tabs", "[]");
  const drafts = createDraftsStore(storage);
  drafts.set("a", "half a thought");
  drafts.rescue("a", bytes("make test\r"));
  drafts.rescue("b", bytes("\x1b[A"));
  // Rescued in parts (a refused attempt mid-word): one text, Backspace reaching into the first.
  drafts.rescue("c", bytes("git stx"));
  drafts.rescue("c", bytes("\x7fatus\r"));
  expect(drafts.get("c")).toEqual({ text: "git status", rescued: true });
  expect(drafts.get("a")).toEqual({ text: "half a thought\nmake test", rescued: true });
  expect(drafts.get("b")).toEqual({ text: "", rescued: false });
  // Another page (a reload) reads the same drafts.
  expect(createDraftsStore(storage).get("a").text).toBe("half a thought\nmake test");
  drafts.set("a", "edited");
  expect(drafts.get("a")).toEqual({ text: "edited", rescued: false });
  drafts.clear("c");
  expect(storage.getItem("opendray.draft.c")).toBeNull();
  drafts.clearAll();
  expect(drafts.get("a").text).toBe("");
  expect(storage.getItem("opendray.tabs")).toBe("[]");
});
