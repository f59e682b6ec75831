// Sign-ins survive a restart: without JWT_SECRET, the real server process keeps its signing key
// in DATA_DIR/jwt.key (0600), so the next start on that DATA_DIR accepts the tokens of the last
// one; JWT_SECRET, when set, still wins; a non-loopback bind still needs JWT_SECRET.

import { afterAll, expect, test } from "bun:test";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { JWT_KEY_FILE } from "../src/auth/signing-key.ts";
import { userSchema } from "../src/protocol/auth.ts";
import {
  createServerFixture,
  type ServerFixture,
  startServerProcess,
} from "./support/process-server.ts";
import { bodyOf, readResponse } from "./support/responses.ts";

let fixture: ServerFixture;
afterAll(() => fixture?.dispose());

const me = (api: string, auth: Record<string, string>) =>
  fetch(`${api}/auth/me`, { headers: auth, keepalive: false });

test("a second start on the same DATA_DIR accepts the first start's token", async () => {
  fixture = await createServerFixture();
  const first = await fixture.start();
  expect((await me(first.api, first.auth)).status).toBe(200);
  first.process.kill("SIGTERM");
  expect(await first.process.exited).toBe(0);

  const keyFile = join(fixture.dataDir, JWT_KEY_FILE);
  expect(statSync(keyFile).mode & 0o777).toBe(0o600);
  const key = readFileSync(keyFile);

  const second = await fixture.start();
  const response = await me(second.api, first.auth);
  expect(bodyOf(await readResponse(response), 200, userSchema).username).toBe("admin");
  second.process.kill("SIGTERM");
  expect(await second.process.exited).toBe(0);
  expect(readFileSync(keyFile)).toEqual(key);

  // A configured secret wins over the file: the file's tokens are refused, the file is kept.
  const configured = await startServerProcess({
    ...fixture.env,
    JWT_SECRET: "a-configured-secret-of-at-least-32-bytes",
  });
  expect((await me(configured.api, first.auth)).status).toBe(401);
  expect((await me(configured.api, configured.auth)).status).toBe(200);
  configured.process.kill("SIGTERM");
  expect(await configured.process.exited).toBe(0);
  expect(readFileSync(keyFile)).toEqual(key);
}, 120_000);

test("a non-loopback bind without JWT_SECRET is refused even with a key file in DATA_DIR", async () => {
  const child = Bun.spawn([process.execPath, join(import.meta.dir, "../src/main.ts")], {
    env: { PATH: process.env.PATH ?? "", ...fixture.env, LISTEN_ADDR: "0.0.0.0:0" },
    stderr: "pipe",
    stdout: "ignore",
  });
  const stderr = await new Response(child.stderr).text();
  expect(await child.exited).toBe(2);
  expect(stderr).toStartWith("opendray: JWT_SECRET: listening on 0.0.0.0 (not loopback)");
});
