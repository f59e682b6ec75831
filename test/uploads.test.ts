// POST /api/v1/sessions/:id/uploads on a real server: files stream into the session's folder
// (0600, never executable), their path is typed into the running program as a bracketed paste,
// hostile names, folders and symlinks stay inside the cwd, nothing is overwritten unless asked,
// viewers and cross-site requests are refused, every upload is audited, and an oversized body or
// a full disk leaves no partial file behind.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Session } from "../src/protocol/session.ts";
import { uploadResultSchema } from "../src/protocol/uploads.ts";
import {
  auditListSchema,
  bodyOf,
  errorOf,
  type JsonResponse,
  readResponse,
} from "./support/responses.ts";
import { eventually, outputOf, startTestServer, type TestServer } from "./support/server.ts";

const MIB = 1024 * 1024;
let server: TestServer;
let cwd: string;
let outside: string;
let session: Session;
const uploads = () => join(cwd, ".opendray", "uploads");

beforeAll(async () => {
  cwd = mkdtempSync(join(tmpdir(), "opendray-uploads-"));
  outside = mkdtempSync(join(tmpdir(), "opendray-outside-"));
  server = await startTestServer({
    env: { UPLOAD_LIMIT: "1mb", BODY_LIMIT: "1kb", RATE_LIMIT_UPLOADS: "100000/min" },
  });
  session = await server.spawnShell("exec cat -v", { cwd });
});
afterAll(async () => {
  await server.dispose();
  rmSync(cwd, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

interface UploadOptions {
  query?: Record<string, string>;
  headers?: Record<string, string>;
  id?: string;
  on?: TestServer;
}

async function upload(
  name: string,
  body: BodyInit,
  { query = {}, headers, id = session.id, on = server }: UploadOptions = {},
): Promise<JsonResponse> {
  const params = new URLSearchParams({ name, ...query });
  const response = await fetch(`${on.api}/sessions/${id}/uploads?${params}`, {
    method: "POST",
    headers: headers ?? { ...on.auth, "content-type": "application/octet-stream" },
    body,
    // @ts-expect-error Bun takes a streamed request body with duplex "half", as browsers do
    duplex: "half",
    keepalive: false,
  });
  return readResponse(response);
}

/** A body of `total` bytes produced 64 KiB at a time, never held whole. */
function streamOf(total: number): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(64 * 1024).fill(120);
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= total) return controller.close();
      const piece = chunk.subarray(0, Math.min(chunk.length, total - sent));
      sent += piece.length;
      controller.enqueue(piece);
    },
  });
}

/** Every file below `dir`, relative, sorted (temporary `.part` files included). */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true }) as string[]).sort();
}

describe("an upload", () => {
  test("lands 0600 in .opendray/uploads and its path is typed into the session as a bracketed paste", async () => {
    const response = await upload("shot 1.png", new Uint8Array([137, 80, 78, 71, 1, 2, 3]));
    expect(response.status).toBe(201);
    const path = join(uploads(), "shot 1.png");
    expect(response.body).toEqual({ path, name: "shot 1.png", size: 7, typed: true });
    const stats = statSync(path);
    expect(stats.mode & 0o777).toBe(0o600);
    expect(stats.mode & 0o111).toBe(0);
    expect([...readFileSync(path)]).toEqual([137, 80, 78, 71, 1, 2, 3]);
    expect(statSync(uploads()).mode & 0o777).toBe(0o700);
    // The terminal echoes the paste as cat -v would show it: ESC as ^[, no Enter sent.
    await eventually(async () => {
      const { text } = await outputOf(server, session.id);
      return text.includes(`^[[200~'${path}' ^[[201~`) || undefined;
    }, "the path pasted into the session");
    expect(filesUnder(uploads())).toEqual(["shot 1.png"]);
  });

  test("never overwrites without overwrite=1: a taken name gets a numbered one", async () => {
    const first = await upload("notes.txt", "one");
    const second = await upload("notes.txt", "two");
    expect(bodyOf(first, 201, uploadResultSchema).name).toBe("notes.txt");
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({
      name: "notes (1).txt",
      path: join(uploads(), "notes (1).txt"),
    });
    expect(readFileSync(join(uploads(), "notes.txt"), "utf8")).toBe("one");
    const replaced = await upload("notes.txt", "three", { query: { overwrite: "1" } });
    expect(bodyOf(replaced, 201, uploadResultSchema).name).toBe("notes.txt");
    expect(readFileSync(join(uploads(), "notes.txt"), "utf8")).toBe("three");
  });

  test("goes into a folder picked inside the cwd, created when missing", async () => {
    const response = await upload("data.csv", "a,b", { query: { dir: "inbox/today" } });
    expect(bodyOf(response, 201, uploadResultSchema).path).toBe(
      join(cwd, "inbox", "today", "data.csv"),
    );
  });

  test("over UPLOAD_LIMIT while streaming is 413 and leaves no partial file", async () => {
    const before = filesUnder(uploads());
    const response = await upload("big.bin", streamOf(30 * MIB));
    expect(errorOf(response, 413).code).toBe("upload_too_large");
    expect(filesUnder(uploads())).toEqual(before);
  });

  test("a declared Content-Length over the cap is 413 before anything is read", async () => {
    const response = await upload("big.bin", new Uint8Array(MIB + 1));
    expect(response.status).toBe(413);
    expect(filesUnder(uploads())).not.toContain("big.bin");
  });

  test("a body sent in thousands of tiny chunks lands byte for byte", async () => {
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (let n = 0; n < 20_000; n++) {
      const chunk = new Uint8Array(1 + (n % 7)).map((_, i) => (total + i) * 31 + 7);
      chunks.push(chunk);
      total += chunk.length;
    }
    let next = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const chunk = chunks[next++];
        if (chunk) controller.enqueue(chunk);
        else controller.close();
      },
    });
    expect(bodyOf(await upload("tiny.bin", body), 201, uploadResultSchema).size).toBe(total);
    const expected = new Uint8Array(total);
    let at = 0;
    for (const chunk of chunks) {
      expected.set(chunk, at);
      at += chunk.length;
    }
    expect(new Uint8Array(readFileSync(join(uploads(), "tiny.bin")))).toEqual(expected);
  });

  test("a streamed body whose last chunk crosses UPLOAD_LIMIT is 413, no partial file", async () => {
    const before = filesUnder(uploads());
    const pieces = [new Uint8Array(MIB - 10), new Uint8Array(11)];
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const piece = pieces.shift();
        if (piece) controller.enqueue(piece);
        else controller.close();
      },
    });
    expect(errorOf(await upload("over-by-one.bin", body), 413).code).toBe("upload_too_large");
    expect(filesUnder(uploads())).toEqual(before);
  });

  test("exactly UPLOAD_LIMIT bytes are taken, past BODY_LIMIT", async () => {
    const response = await upload("limit.bin", streamOf(MIB));
    expect(response.status).toBe(201);
    expect(statSync(join(uploads(), "limit.bin")).size).toBe(MIB);
  });
});

describe("hostile names and folders", () => {
  test.each([
    ["..", "upload_name_invalid"],
    ["../escape.txt", "upload_name_invalid"],
    ["/etc/passwd", "upload_name_invalid"],
    ["a\0b", "nul_character"],
    ["bell\x07.txt", "upload_name_invalid"],
    ["esc\x1b[2J.txt", "upload_name_invalid"],
    ["c1\u009b.txt", "upload_name_invalid"],
    ["a/b", "upload_name_invalid"],
    ["a\\b", "upload_name_invalid"],
    [".git/hooks/pre-commit", "upload_name_invalid"],
    [".envrc", "upload_name_invalid"],
    ["x".repeat(241), "upload_name_invalid"],
    ["é".repeat(121), "upload_name_invalid"],
    ["", "invalid_request"],
  ])("name %j is refused (%s)", async (name, code) => {
    const before = filesUnder(cwd);
    const response = await upload(name, "payload");
    expect(errorOf(response, 400).code).toBe(code);
    expect(filesUnder(cwd)).toEqual(before);
  });

  test.each([
    ["..", "upload_dir_invalid"],
    ["a/../../escape", "upload_dir_invalid"],
    ["/etc", "upload_dir_invalid"],
    [".git/hooks", "upload_dir_invalid"],
    [".claude", "upload_dir_invalid"],
    ["ok/\x1b", "upload_dir_invalid"],
  ])("dir %j is refused (%s)", async (dir, code) => {
    const response = await upload("x.txt", "payload", { query: { dir } });
    expect(errorOf(response, 400).code).toBe(code);
    expect(filesUnder(outside)).toEqual([]);
  });

  test("a symlinked folder pointing outside the cwd is refused, nothing written there", async () => {
    symlinkSync(outside, join(cwd, "escape"));
    const direct = await upload("x.txt", "payload", { query: { dir: "escape" } });
    expect(errorOf(direct, 403).code).toBe("upload_path_forbidden");
    const below = await upload("x.txt", "payload", { query: { dir: "escape/deeper" } });
    expect(below.status).toBe(403);
    expect(filesUnder(outside)).toEqual([]);
  });

  test("a symlink at the target name is neither followed nor written through", async () => {
    const victim = join(outside, "victim.txt");
    writeFileSync(victim, "precious");
    symlinkSync(victim, join(uploads(), "target.txt"));
    const kept = await upload("target.txt", "evil");
    expect(bodyOf(kept, 201, uploadResultSchema).name).toBe("target (1).txt");
    const replaced = await upload("target.txt", "evil", { query: { overwrite: "1" } });
    expect(replaced.status).toBe(201);
    expect(readFileSync(victim, "utf8")).toBe("precious");
    expect(readFileSync(join(uploads(), "target.txt"), "utf8")).toBe("evil");
    rmSync(victim);
  });

  test("a folder moved outside while the file streams: refused, the partial file removed", async () => {
    const folder = join(cwd, "swapped");
    mkdirSync(folder);
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let pulls = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        pulls += 1;
        if (pulls === 1) return controller.enqueue(new Uint8Array(1024).fill(65));
        await gate;
        controller.enqueue(new Uint8Array(1024).fill(66));
        controller.close();
      },
    });
    const pending = upload("moved.txt", body, { query: { dir: "swapped" } });
    // Once the temporary file exists, the server has checked the folder and opened the file.
    await eventually(() => readdirSync(folder).length > 0 || undefined, "the temporary file");
    const moved = join(outside, "moved-away");
    execFileSync("mv", [folder, moved]);
    symlinkSync(outside, folder);
    release();
    const response = await pending;
    expect(errorOf(response, 403).code).toBe("upload_path_forbidden");
    expect(filesUnder(outside)).toEqual(["moved-away"]);
    rmSync(moved, { recursive: true });
  });

  test("a .opendray that links outside the cwd makes the default folder refused", async () => {
    const other = mkdtempSync(join(tmpdir(), "opendray-uploads-link-"));
    mkdirSync(join(other, "real"));
    symlinkSync(outside, join(other, ".opendray"));
    const linked = await server.spawnShell("exec cat", { cwd: other });
    const response = await upload("x.txt", "payload", { id: linked.id });
    expect(response.status).toBe(403);
    expect(filesUnder(outside)).toEqual([]);
    rmSync(other, { recursive: true, force: true });
  });
});

describe("who may upload", () => {
  test("a viewer gets 403 and nothing is written", async () => {
    const viewer = await server.createUser("upviewer", "viewer");
    const before = filesUnder(uploads());
    const response = await upload("v.txt", "payload", {
      headers: { authorization: `Bearer ${viewer.token}`, "content-type": "text/plain" },
    });
    expect(errorOf(response, 403).code).toBe("forbidden");
    expect(filesUnder(uploads())).toEqual(before);
  });

  test("a cookie needs X-OpenDray-Upload: 1 and our Origin; a cross-site request writes nothing", async () => {
    const cookie = `od_token=${server.token}`;
    const origin = server.url;
    const before = filesUnder(uploads());
    const noHeader = await upload("c.txt", "payload", {
      headers: { cookie, origin, "content-type": "text/plain" },
    });
    expect(errorOf(noHeader, 403).code).toBe("upload_header_required");
    const foreign = await upload("c.txt", "payload", {
      headers: { cookie, origin: "https://evil.example", "x-opendray-upload": "1" },
    });
    expect(errorOf(foreign, 403).code).toBe("origin_forbidden");
    const noOrigin = await upload("c.txt", "payload", {
      headers: { cookie, "x-opendray-upload": "1" },
    });
    expect(noOrigin.status).toBe(403);
    expect(filesUnder(uploads())).toEqual(before);
    const ok = await upload("c.txt", "payload", {
      headers: { cookie, origin, "x-opendray-upload": "1", "content-type": "text/plain" },
    });
    expect(ok.status).toBe(201);
  });

  test("each upload leaves an audit row: who, which session, which path, how big", async () => {
    const { path } = bodyOf(await upload("audited.txt", "12345"), 201, uploadResultSchema);
    const audit = await server.request("GET", "/audit?limit=100");
    const { entries } = bodyOf(audit, 200, auditListSchema);
    const row = entries.find(
      (entry) => entry.action === "session.upload" && entry.detail?.path === path,
    );
    expect(row).toMatchObject({
      actor: "admin",
      target: session.id,
      outcome: "ok",
      detail: { status: 201, name: "audited.txt", size: 5 },
    });
    const refused = entries.find(
      (entry) => entry.action === "session.upload" && entry.detail?.name === "../escape.txt",
    );
    expect(refused).toMatchObject({ outcome: "error", detail: { status: 400 } });
  });
});

describe("when the folder or the disk is gone", () => {
  test("a session whose folder was deleted is 404 with a clear message", async () => {
    const doomed = mkdtempSync(join(tmpdir(), "opendray-doomed-"));
    const orphan = await server.spawnShell("exec cat", { cwd: doomed });
    rmSync(doomed, { recursive: true, force: true });
    const response = await upload("x.txt", "payload", { id: orphan.id });
    expect(response.status).toBe(404);
    expect(response.body).toEqual({
      error: {
        code: "folder_not_found",
        message: `the session's folder ${doomed} no longer exists`,
      },
    });
  });

  test("an unknown session is 404", async () => {
    const response = await upload("x.txt", "payload", { id: crypto.randomUUID() });
    expect(response.status).toBe(404);
  });

  test("a disk that fills during an upload is 507 disk_full, no partial file, the session goes on", async () => {
    const mount = mkdtempSync(join(tmpdir(), "opendray-upload-full-"));
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", mount]);
    try {
      const small = await server.spawnShell("exec cat -v", { cwd: mount });
      const response = await upload("fill.bin", streamOf(900 * 1024), { id: small.id });
      expect(response.status).toBe(507);
      expect(response.body).toEqual({
        error: { code: "disk_full", message: "the disk is full; the partial file was removed" },
      });
      expect(filesUnder(join(mount, ".opendray", "uploads"))).toEqual([]);
      expect(
        (await server.request("POST", `/sessions/${small.id}/input`, { data: "alive\r" })).status,
      ).toBe(204);
      await eventually(
        async () => (await outputOf(server, small.id)).text.includes("alive") || undefined,
        "the session echoing after the full disk",
      );
      expect((await server.getSession(small.id)).state).toMatch(/running|idle/);
      await server.request("DELETE", `/sessions/${small.id}`);
    } finally {
      execFileSync("umount", ["--lazy", mount]);
      rmSync(mount, { recursive: true, force: true });
    }
  });
});

describe("the upload rate limit", () => {
  test("RATE_LIMIT_UPLOADS is per user: past it 429 with Retry-After", async () => {
    const strict = await startTestServer({ env: { RATE_LIMIT_UPLOADS: "2/min" } });
    try {
      const target = await strict.spawnShell("exec cat", { cwd });
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++)
        statuses.push((await upload("r.txt", "x", { id: target.id, on: strict })).status);
      expect(statuses).toEqual([201, 201, 429]);
      const limited = await upload("r.txt", "x", { id: target.id, on: strict });
      expect(errorOf(limited, 429).code).toBe("rate_limited");
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    } finally {
      await strict.dispose();
    }
  });
});
