// A server whose PATH lacks a tool it spawns answers a clear 503 for what needs the tool and
// goes on serving everything else. The server runs as a process of its own, with a PATH that
// holds only a folder of links to the tools a shell session needs.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { errorBodySchema } from "../src/protocol/errors.ts";
import { folderListingSchema } from "../src/protocol/files.ts";
import { sessionSchema } from "../src/protocol/session.ts";
import {
  createServerFixture,
  type ServerFixture,
  type ServerProcess,
} from "./support/process-server.ts";
import { bodyOf, readResponse } from "./support/responses.ts";

const TOOLS = ["bash", "sh", "cat", "sleep", "env", "ls"];

let bin: string;
let cwd: string;
let fixture: ServerFixture;
let server: ServerProcess;

beforeAll(async () => {
  bin = mkdtempSync(join(tmpdir(), "opendray-no-tar-bin-"));
  for (const tool of TOOLS) symlinkSync(Bun.which(tool) ?? `/bin/${tool}`, join(bin, tool));
  cwd = mkdtempSync(join(tmpdir(), "opendray-no-tar-cwd-"));
  mkdirSync(join(cwd, "src"));
  writeFileSync(join(cwd, "src", "main.ts"), "console.log(1);\n");
  fixture = await createServerFixture({ PATH: bin });
  server = await fixture.start();
});
afterAll(async () => {
  await fixture.dispose();
  rmSync(bin, { recursive: true, force: true });
  rmSync(cwd, { recursive: true, force: true });
});

const files = (sessionId: string, route: string) =>
  fetch(`${server.api}/sessions/${sessionId}/files${route}?path=src`, { headers: server.auth });

test("without tar a folder archive is 503 archive_unavailable; listing still works", async () => {
  expect(Bun.which("tar", { PATH: bin })).toBeNull();
  const inCwd = await fetch(`${server.api}/sessions`, {
    method: "POST",
    headers: { ...server.auth, "content-type": "application/json" },
    body: JSON.stringify({ provider: "shell", cwd, args: ["-c", "exec cat"] }),
  });
  const { id } = bodyOf(await readResponse(inCwd), 201, sessionSchema);

  const archive = await files(id, "/archive");
  expect(archive.status).toBe(503);
  const { error } = bodyOf(
    { status: 503, body: await archive.json(), headers: archive.headers },
    503,
    errorBodySchema,
  );
  expect(error).toEqual({
    code: "archive_unavailable",
    message: "tar is not installed on the server",
  });

  const listing = await files(id, "");
  const { entries } = bodyOf(
    { status: listing.status, body: await listing.json(), headers: listing.headers },
    200,
    folderListingSchema,
  );
  expect(entries.map((entry) => entry.name)).toEqual(["main.ts"]);
  // The session is unaffected.
  const session = await fetch(`${server.api}/sessions/${id}`, { headers: server.auth });
  expect(bodyOf(await readResponse(session), 200, sessionSchema).state).toBe("running");
});
