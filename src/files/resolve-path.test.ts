import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppError } from "../errors.ts";
import { archiveTop } from "./folder-archive.ts";
import { openResolved, resolvePath } from "./resolve-path.ts";

let cwd: string;
let outside: string;
beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), "opendray-resolve-"));
  outside = mkdtempSync(join(tmpdir(), "opendray-resolve-outside-"));
  writeFileSync(join(outside, "file.txt"), "outside");
  mkdirSync(join(outside, "dir"));
  writeFileSync(join(outside, "dir", "file.txt"), "outside");
});
afterAll(() => {
  rmSync(cwd, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

const scope = () => ({ cwd, admin: false });

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return { status: (error as AppError).status, code: (error as AppError).code };
}

test("a file swapped for a symlink out after the check is refused when opened (O_NOFOLLOW)", async () => {
  writeFileSync(join(cwd, "swap.txt"), "inside");
  const checked = await resolvePath(scope(), "swap.txt");
  rmSync(join(cwd, "swap.txt"));
  symlinkSync(join(outside, "file.txt"), join(cwd, "swap.txt"));
  expect(await refusal(openResolved(checked, "file"))).toEqual({
    status: 403,
    code: "path_forbidden",
  });
});

test("a parent folder swapped for a symlink out after the check is refused when opened", async () => {
  mkdirSync(join(cwd, "dir"));
  writeFileSync(join(cwd, "dir", "file.txt"), "inside");
  const file = await resolvePath(scope(), "dir/file.txt");
  const folder = await resolvePath(scope(), "dir");
  renameSync(join(cwd, "dir"), join(cwd, "dir-was"));
  symlinkSync(join(outside, "dir"), join(cwd, "dir"));
  expect(await refusal(openResolved(file, "file"))).toEqual({
    status: 403,
    code: "path_forbidden",
  });
  expect(await refusal(openResolved(folder, "dir"))).toEqual({
    status: 403,
    code: "path_forbidden",
  });
});

test("what was checked opens when nothing changed", async () => {
  writeFileSync(join(cwd, "plain.txt"), "inside");
  const file = await openResolved(await resolvePath(scope(), "plain.txt"), "file");
  expect(await file.readFile("utf8")).toBe("inside");
  await file.close();
});

test.each([
  ["/tmp/project", "project"],
  ["/tmp/my project,&\\x", "my_project___x"],
  ["/tmp/.hidden", "hidden"],
  ["/", "files"],
  ["/tmp/é", "_"],
])("the archive of %j goes under %j", (real, top) => expect(archiveTop(real)).toBe(top));
