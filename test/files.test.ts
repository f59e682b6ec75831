// GET /api/v1/sessions/:id/files… on a real server: a folder's listing (sizes, times, kinds,
// hidden files marked, symlinks described without being followed), a file shown or downloaded
// with headers that keep it from acting in our origin, a capped preview, a folder as a .tar.gz
// that stores links as links, every path attack refused, viewers reading, downloads audited.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { execFileSync } from "node:child_process";
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as z from "zod/mini";
import { archiveTop } from "../src/files/folder-archive.ts";
import { auditEntrySchema } from "../src/protocol/audit.ts";
import {
  FILES_LIST_LIMIT,
  FILES_PREVIEW_BYTES,
  folderListingSchema,
} from "../src/protocol/files.ts";
import type { Session } from "../src/protocol/session.ts";
import { bodyOf, errorOf } from "./support/responses.ts";
import { startTestServer, type TestServer } from "./support/server.ts";

let server: TestServer;
let cwd: string;
let outside: string;
let session: Session;
let viewer: { authorization: string };
const PNG = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13]);

beforeAll(async () => {
  cwd = mkdtempSync(join(tmpdir(), "opendray-files-"));
  outside = mkdtempSync(join(tmpdir(), "opendray-files-outside-"));
  writeFileSync(join(outside, "secret.txt"), "outside secret\n");
  mkdirSync(join(cwd, "src"));
  writeFileSync(join(cwd, "src", "main.ts"), "console.log(1);\n");
  writeFileSync(join(cwd, "notes.txt"), "hello\n");
  writeFileSync(join(cwd, "big.txt"), "a".repeat(FILES_PREVIEW_BYTES + 1000));
  writeFileSync(join(cwd, "pic.png"), PNG);
  writeFileSync(join(cwd, "page.html"), "<script>alert(1)</script>");
  writeFileSync(
    join(cwd, "image.svg"),
    '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
  );
  writeFileSync(join(cwd, "data.bin"), new Uint8Array([0, 1, 2, 3]));
  writeFileSync(join(cwd, ".env"), "SECRET=1\n");
  writeFileSync(join(cwd, "é ü.txt"), "unicode\n");
  symlinkSync("notes.txt", join(cwd, "link-in"));
  symlinkSync(join(outside, "secret.txt"), join(cwd, "link-out"));
  symlinkSync(outside, join(cwd, "dir-out"));
  mkdirSync(join(cwd, "many"));
  for (let i = 0; i < FILES_LIST_LIMIT + 5; i++) writeFileSync(join(cwd, "many", `f${i}`), "");
  server = await startTestServer({
    env: { RATE_LIMIT_READS: "100000/min", ARCHIVE_LIMIT: "1mb" },
  });
  session = await server.spawnShell("exec cat", { cwd });
  viewer = { authorization: `Bearer ${(await server.createUser("filesviewer", "viewer")).token}` };
});
afterAll(async () => {
  await server.dispose();
  rmSync(cwd, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

type Route = "" | "/content" | "/archive";

/** GET …/files{route}?query as `who` (the admin by default): status, headers and raw bytes. */
async function get(
  route: Route,
  query: Record<string, string>,
  who = server.auth,
  id = session.id,
) {
  const response = await fetch(
    `${server.api}/sessions/${id}/files${route}?${new URLSearchParams(query)}`,
    {
      headers: who,
    },
  );
  const bytes = new Uint8Array(await response.arrayBuffer());
  const text = new TextDecoder().decode(bytes);
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: response.status, headers: response.headers, bytes, text, body };
}

const listing = async (path: string, who = server.auth) =>
  bodyOf(await get("", { path }, who), 200, folderListingSchema);

describe("a listing", () => {
  test("has folders first, then names, with kinds, sizes, times, hidden files marked", async () => {
    const { path, entries, truncated } = await listing("");
    expect(path).toBe("");
    expect(truncated).toBe(false);
    expect(entries.map((e) => e.name)).toEqual([
      "many",
      "src",
      ".env",
      "big.txt",
      "data.bin",
      "dir-out",
      "image.svg",
      "link-in",
      "link-out",
      "notes.txt",
      "page.html",
      "pic.png",
      "é ü.txt",
    ]);
    const byName = new Map(entries.map((e) => [e.name, e]));
    expect(byName.get("notes.txt")).toEqual({
      name: "notes.txt",
      kind: "file",
      size: 6,
      modifiedAt: statSync(join(cwd, "notes.txt")).mtime.toISOString(),
      hidden: false,
    });
    expect(byName.get(".env")).toMatchObject({ kind: "file", hidden: true });
    expect(byName.get("src")).toMatchObject({ kind: "dir", hidden: false });
    expect(byName.get("big.txt")?.size).toBe(FILES_PREVIEW_BYTES + 1000);
  });

  test("describes symlinks without following them: inside with its kind, outside without", async () => {
    const { entries } = await listing("");
    const byName = new Map(entries.map((e) => [e.name, e]));
    expect(byName.get("link-in")).toMatchObject({
      kind: "symlink",
      size: lstatSync(join(cwd, "link-in")).size,
      target: { inside: true, kind: "file" },
    });
    expect(byName.get("link-out")).toMatchObject({
      kind: "symlink",
      target: { inside: false, kind: null },
    });
    expect(byName.get("dir-out")).toMatchObject({
      kind: "symlink",
      target: { inside: false, kind: null },
    });
  });

  test("of a subfolder names it relative to the session's folder", async () => {
    const { path, entries } = await listing("./src//");
    expect(path).toBe("src");
    expect(entries.map((e) => e.name)).toEqual(["main.ts"]);
  });

  test(`stops at ${FILES_LIST_LIMIT} entries and says so`, async () => {
    const { entries, truncated } = await listing("many");
    expect(entries).toHaveLength(FILES_LIST_LIMIT);
    expect(truncated).toBe(true);
  });

  test("of a file is 400 not_a_folder, of a missing folder 404", async () => {
    expect(errorOf(await get("", { path: "notes.txt" }), 400).code).toBe("not_a_folder");
    expect(errorOf(await get("", { path: "nope" }), 404).code).toBe("not_found");
  });
});

describe("a file", () => {
  test("of text is shown as plain text, sandboxed, never sniffed", async () => {
    const response = await get("/content", { path: "notes.txt" });
    expect(response.status).toBe(200);
    expect(response.text).toBe("hello\n");
    expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(response.headers.get("content-disposition")).toStartWith("inline;");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("content-security-policy")).toStartWith("sandbox;");
    expect(response.headers.get("content-security-policy")).toContain("default-src 'none'");
  });

  test("of HTML is text, not a page; SVG is an image that cannot run its script", async () => {
    const html = await get("/content", { path: "page.html" });
    expect(html.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    const svg = await get("/content", { path: "image.svg" });
    expect(svg.headers.get("content-type")).toBe("image/svg+xml");
    expect(svg.headers.get("content-security-policy")).toStartWith("sandbox;");
  });

  test("an image is shown inline with its type", async () => {
    const response = await get("/content", { path: "pic.png" });
    expect(response.headers.get("content-type")).toBe("image/png");
    expect(response.headers.get("content-disposition")).toStartWith("inline;");
    expect([...response.bytes]).toEqual([...PNG]);
  });

  test("download=1 is an attachment under its exact name", async () => {
    const response = await get("/content", { path: "é ü.txt", download: "1" });
    expect(response.headers.get("content-disposition")).toBe(
      `attachment; filename="_ _.txt"; filename*=UTF-8''${encodeURIComponent("é ü.txt")}`,
    );
    expect(response.headers.get("content-length")).toBe("8");
    expect(response.text).toBe("unicode\n");
  });

  test("of an unknown type is always a download", async () => {
    const response = await get("/content", { path: "data.bin" });
    expect(response.headers.get("content-type")).toBe("application/octet-stream");
    expect(response.headers.get("content-disposition")).toStartWith("attachment;");
    expect([...response.bytes]).toEqual([0, 1, 2, 3]);
  });

  test(`previews at most ${FILES_PREVIEW_BYTES} bytes, marking a cut with X-Truncated`, async () => {
    const big = await get("/content", { path: "big.txt", preview: "1" });
    expect(big.bytes.length).toBe(FILES_PREVIEW_BYTES);
    expect(big.headers.get("x-truncated")).toBe("1");
    const small = await get("/content", { path: "data.bin", preview: "1" });
    expect(small.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(small.headers.get("x-truncated")).toBe("0");
    expect(small.bytes.length).toBe(4);
  });

  test("read through a symlink that stays inside is the target's bytes", async () => {
    expect((await get("/content", { path: "link-in" })).text).toBe("hello\n");
  });

  test("that is a folder is 400 not_a_file", async () => {
    expect(errorOf(await get("/content", { path: "src" }), 400).code).toBe("not_a_file");
  });
});

describe("a folder archive", () => {
  test("is a .tar.gz of the folder, links stored as links, nothing outside followed", async () => {
    const response = await get("/archive", { path: "" });
    expect(response.status).toBe(200);
    // Everything under one folder named like the session's (the name made safe for tar).
    const top = archiveTop(cwd);
    expect(top).toStartWith("opendray-files-");
    expect(response.headers.get("content-type")).toBe("application/gzip");
    expect(response.headers.get("content-disposition")).toStartWith(
      `attachment; filename="${top}.tar.gz"`,
    );
    expect(response.headers.get("content-security-policy")).toStartWith("sandbox;");
    const into = mkdtempSync(join(tmpdir(), "opendray-files-extract-"));
    try {
      const archive = join(into, "a.tar.gz");
      writeFileSync(archive, response.bytes);
      const names = execFileSync("tar", ["-tzf", archive], { encoding: "utf8" }).split("\n");
      expect(names).toContain(`${top}/src/main.ts`);
      expect(names).toContain(`${top}/notes.txt`);
      expect(names).toContain(`${top}/link-out`);
      expect(names).toContain(`${top}/dir-out`);
      expect(names.some((name) => name.startsWith(`${top}/dir-out/`))).toBe(false);
      const out = join(into, "out");
      mkdirSync(out);
      execFileSync("tar", ["-xzf", archive, "-C", out]);
      expect(readFileSync(join(out, top, "src", "main.ts"), "utf8")).toBe("console.log(1);\n");
      expect(lstatSync(join(out, top, "link-out")).isSymbolicLink()).toBe(true);
      expect(lstatSync(join(out, top, "dir-out")).isSymbolicLink()).toBe(true);
      // The outside file's bytes are nowhere in the archive.
      const all = execFileSync("tar", ["-xzOf", archive], { encoding: "utf8" });
      expect(all).not.toContain("outside secret");
    } finally {
      rmSync(into, { recursive: true, force: true });
    }
  });

  test("of a subfolder holds only it", async () => {
    const response = await get("/archive", { path: "src" });
    const archive = join(cwd, "..", `${session.id}-src.tar.gz`);
    writeFileSync(archive, response.bytes);
    try {
      expect(
        execFileSync("tar", ["-tzf", archive], { encoding: "utf8" }).trim().split("\n").sort(),
      ).toEqual(["src/", "src/main.ts"]);
    } finally {
      rmSync(archive);
    }
  });

  test("past ARCHIVE_LIMIT is 413 archive_too_large before a byte is sent", async () => {
    const heavy = mkdtempSync(join(tmpdir(), "opendray-files-heavy-"));
    try {
      writeFileSync(join(heavy, "a.bin"), new Uint8Array(700 * 1024));
      writeFileSync(join(heavy, "b.bin"), new Uint8Array(700 * 1024));
      const other = await server.spawnShell("exec cat", { cwd: heavy });
      const response = await get("/archive", { path: "" }, server.auth, other.id);
      expect(errorOf(response, 413).code).toBe("archive_too_large");
      expect((await get("/archive", { path: "" }, server.auth, other.id)).status).toBe(413);
    } finally {
      rmSync(heavy, { recursive: true, force: true });
    }
  });
});

describe("a path", () => {
  const routes: Route[] = ["", "/content", "/archive"];
  test.each([
    ["..", 400, "path_invalid"],
    ["../etc", 400, "path_invalid"],
    ["src/../../x", 400, "path_invalid"],
    ["a\0b", 400, "nul_character"],
    ["a\nb", 400, "path_invalid"],
    ["a\u001bb", 400, "path_invalid"],
    ["link-out", 403, "path_forbidden"],
    ["dir-out", 403, "path_forbidden"],
    ["dir-out/secret.txt", 403, "path_forbidden"],
  ] as const)("%j is refused (%d %s) on every route", async (path, status, code) => {
    for (const route of routes) {
      expect(errorOf(await get(route, { path }), status).code).toBe(code);
    }
  });

  test("that is absolute is for admins only: a viewer gets 403 path_forbidden", async () => {
    for (const route of routes) {
      const response = await get(
        route,
        { path: join(outside, route === "/content" ? "secret.txt" : "") },
        viewer,
      );
      expect(errorOf(response, 403).code).toBe("path_forbidden");
    }
    const inside = await get("/content", { path: join(cwd, "notes.txt") }, viewer);
    expect(errorOf(inside, 403).code).toBe("path_forbidden");
  });

  test("that is absolute lets an admin read anywhere, audited as session.browse", async () => {
    const { path, entries } = await listing(outside);
    expect(path).toBe(outside);
    expect(entries.map((e) => e.name)).toEqual(["secret.txt"]);
    expect((await get("/content", { path: join(outside, "secret.txt") })).text).toBe(
      "outside secret\n",
    );
    await listing("src");
    const browsed = bodyOf(
      await server.request("GET", "/audit?limit=200"),
      200,
      z.object({ entries: z.array(auditEntrySchema) }),
    ).entries.filter((entry) => entry.action === "session.browse" && entry.actor === "admin");
    // The listing outside is recorded; the one inside the session's folder is not.
    expect(browsed).toEqual([
      expect.objectContaining({
        actor: "admin",
        target: session.id,
        outcome: "ok",
        detail: { status: 200, path: outside },
      }),
    ]);
  });
});

describe("who", () => {
  test("a viewer browses, previews and downloads inside the session's folder", async () => {
    expect((await listing("src", viewer)).entries).toHaveLength(1);
    expect((await get("/content", { path: "notes.txt", download: "1" }, viewer)).text).toBe(
      "hello\n",
    );
    expect((await get("/archive", { path: "src" }, viewer)).status).toBe(200);
  });

  test("nobody signed in gets 401", async () => {
    expect((await get("", { path: "" }, {} as { authorization: string })).status).toBe(401);
  });

  test("a session whose folder was deleted is 404 with a clear message", async () => {
    const doomed = mkdtempSync(join(tmpdir(), "opendray-files-doomed-"));
    const orphan = await server.spawnShell("exec cat", { cwd: doomed });
    rmSync(doomed, { recursive: true, force: true });
    for (const route of ["", "/content", "/archive"] as const) {
      expect(errorOf(await get(route, { path: "x" }, server.auth, orphan.id), 404)).toEqual({
        code: "folder_not_found",
        message: `the session's folder ${doomed} no longer exists`,
      });
    }
  });

  test("an unknown session or an id that is no UUID is 404", async () => {
    expect((await get("", { path: "" }, server.auth, crypto.randomUUID())).status).toBe(404);
    expect((await get("", { path: "" }, server.auth, "not-a-uuid")).status).toBe(404);
  });

  test("each download leaves an audit row: who, which session, which path, how big", async () => {
    await get("/content", { path: "notes.txt", download: "1" }, viewer);
    await get("/archive", { path: "src" });
    await get("/content", { path: "link-out" }, viewer);
    const entries = bodyOf(
      await server.request("GET", "/audit?limit=200"),
      200,
      z.object({ entries: z.array(auditEntrySchema) }),
    ).entries.filter((entry) => entry.action === "session.download");
    expect(entries).toContainEqual(
      expect.objectContaining({
        actor: "filesviewer",
        target: session.id,
        outcome: "ok",
        detail: { status: 200, path: join(cwd, "notes.txt"), size: 6 },
      }),
    );
    expect(entries).toContainEqual(
      expect.objectContaining({
        actor: "admin",
        target: session.id,
        detail: { status: 200, path: join(cwd, "src"), size: 16, archive: true },
      }),
    );
    expect(entries).toContainEqual(
      expect.objectContaining({
        actor: "filesviewer",
        outcome: "denied",
        detail: { status: 403, path: "link-out" },
      }),
    );
  });
});
