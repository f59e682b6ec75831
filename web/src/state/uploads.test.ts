import { expect, test } from "bun:test";
import { ApiError } from "../api/http.ts";
import { createUploadsStore, DONE_SHOWN_MS } from "./uploads.ts";

test("uploads go one after the other, report progress, then the typed path, and leave later", async () => {
  const sent: string[] = [];
  const timers: { run: () => void; ms: number }[] = [];
  const store = createUploadsStore({
    send: async (id, file, onProgress) => {
      sent.push(`${id}:${file.name}`);
      onProgress(1);
      expect(store.items.value.find((item) => item.name === file.name)?.sent).toBe(1);
      return { path: `/w/.opendray/uploads/${file.name}`, name: file.name, size: 2, typed: true };
    },
    later: (run, ms) => timers.push({ run, ms }),
  });
  await store.upload("s1", [new File(["ab"], "a.png"), new File(["cd"], "b.png")]);
  expect(sent).toEqual(["s1:a.png", "s1:b.png"]);
  expect(store.items.value.map((item) => [item.state, item.detail])).toEqual([
    ["done", "typed /w/.opendray/uploads/a.png"],
    ["done", "typed /w/.opendray/uploads/b.png"],
  ]);
  expect(timers.map((timer) => timer.ms)).toEqual([DONE_SHOWN_MS, DONE_SHOWN_MS]);
  for (const timer of timers) timer.run();
  expect(store.items.value).toEqual([]);
});

test("the folder and the replace choice go with every file of the upload", async () => {
  const asked: unknown[] = [];
  const store = createUploadsStore({
    send: async (_id, file, _onProgress, options) => {
      asked.push(options);
      return { path: `/w/docs/${file.name}`, name: file.name, size: 1, typed: true };
    },
    later: () => {},
  });
  await store.upload("s1", [new File(["a"], "a.md"), new File(["b"], "b.md")], {
    dir: "docs",
    overwrite: true,
  });
  await store.upload("s1", [new File(["c"], "c.md")]);
  expect(asked).toEqual([{ dir: "docs", overwrite: true }, { dir: "docs", overwrite: true }, {}]);
});

test("a failed upload stays with its reason until dismissed", async () => {
  const store = createUploadsStore({
    send: async () => {
      throw new ApiError(413, "upload_too_large", "the file is larger than UPLOAD_LIMIT");
    },
    later: () => {},
  });
  await store.upload("s1", [new File(["x"], "big.bin")]);
  const [item] = store.items.value;
  expect(item).toMatchObject({ state: "failed", detail: "the file is larger than UPLOAD_LIMIT" });
  store.dismiss(item?.key ?? -1);
  expect(store.items.value).toEqual([]);
});
