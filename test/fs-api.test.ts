// GET /api/v1/fs/dirs: directory completion for the new-session dialog, for admins only.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as z from "zod/mini";
import { bodyOf, errorOf } from "./support/responses.ts";
import { startTestServer, type TestServer } from "./support/server.ts";

/** GET /fs/dirs's answer. */
const completionSchema = z.object({ dirs: z.array(z.string()), truncated: z.boolean() });

let server: TestServer;
const root = mkdtempSync(join(tmpdir(), "opendray-dirs-"));

beforeAll(async () => {
  for (const dir of ["alpha", "alpine", "beta", ".hidden"]) mkdirSync(join(root, dir));
  writeFileSync(join(root, "alps.txt"), "a file, not a directory");
  symlinkSync(join(root, "beta"), join(root, "alias"));
  server = await startTestServer();
});
afterAll(async () => {
  await server.dispose();
  rmSync(root, { recursive: true, force: true });
});

const dirs = async (prefix: string) =>
  bodyOf(
    await server.request("GET", `/fs/dirs?prefix=${encodeURIComponent(prefix)}`),
    200,
    completionSchema,
  );

describe("GET /fs/dirs", () => {
  test("completes a partial name to the matching directories, files left out", async () => {
    expect(await dirs(join(root, "al"))).toEqual({
      dirs: [join(root, "alias"), join(root, "alpha"), join(root, "alpine")],
      truncated: false,
    });
  });

  test("a trailing slash lists the subdirectories; hidden ones only when asked for", async () => {
    expect((await dirs(`${root}/`)).dirs).toEqual(
      ["alias", "alpha", "alpine", "beta"].map((name) => join(root, name)),
    );
    expect((await dirs(`${root}/.h`)).dirs).toEqual([join(root, ".hidden")]);
  });

  test("a missing parent completes to nothing", async () => {
    expect(await dirs(join(root, "nope", "x"))).toEqual({ dirs: [], truncated: false });
  });

  test.each([
    ["no prefix", "/fs/dirs", "invalid_request"],
    ["a relative prefix", "/fs/dirs?prefix=home", "invalid_request"],
    ["a .. segment", `/fs/dirs?prefix=${encodeURIComponent("/tmp/../etc")}`, "invalid_request"],
    ["a NUL byte", "/fs/dirs?prefix=/tmp%00x", "nul_character"],
    ["an overlong prefix", `/fs/dirs?prefix=/${"a".repeat(5000)}`, "invalid_request"],
  ])("%s is 400 %s", async (_, path, code) => {
    // errorOf checks the envelope: a string message beside the code.
    expect(errorOf(await server.request("GET", path), 400).code).toBe(code);
  });

  test("viewers are refused and strangers must sign in", async () => {
    const viewer = await server.createUser("dirviewer", "viewer");
    const refused = await server.send("GET", "/fs/dirs?prefix=/", undefined, {
      authorization: `Bearer ${viewer.token}`,
    });
    expect(errorOf(refused, 403).code).toBe("forbidden");
    const anonymous = await server.send("GET", "/fs/dirs?prefix=/", undefined, {});
    expect(anonymous.status).toBe(401);
  });
});
