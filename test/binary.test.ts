// The compiled executable works on its own: copied alone into an empty folder with no
// node_modules above it, it starts on embedded PGlite, runs sessions on both PTY backends, runs
// its commands (version, migrate, user, doctor), and shuts down cleanly on SIGTERM.

import { afterAll, beforeAll, expect, test } from "bun:test";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loginResultSchema, userSchema } from "../src/protocol/auth.ts";
import { sessionSchema } from "../src/protocol/session.ts";
import { compiledBinary, runBinary } from "./support/binary.ts";
import { createTestDatabase } from "./support/database.ts";
import { stopProcess } from "./support/process.ts";
import { startServerProcess } from "./support/process-server.ts";
import { auditListSchema, bodyOf, readResponse, userListSchema } from "./support/responses.ts";
import { ADMIN } from "./support/server.ts";
import { StreamClient, streamUrl } from "./support/ws-client.ts";

const NOBODY = 65534;
const dir = mkdtempSync(join(tmpdir(), "opendray-binary-"));
chmodSync(dir, 0o755);
let binary: string;

beforeAll(async () => {
  binary = await compiledBinary();
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh DATA_DIR path (not created) under the test folder. */
let dataDirs = 0;
const freshDataDir = () => join(dir, `data-${++dataDirs}`);

async function createSession(api: string, auth: Record<string, string>, args: string[]) {
  const response = await fetch(`${api}/sessions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...auth },
    body: JSON.stringify({ provider: "shell", cwd: dir, args }),
  });
  return bodyOf(await readResponse(response), 201, sessionSchema);
}

test.each(["bun", "bun-pty"])(
  "the binary serves a %s session from an empty folder",
  async (backend) => {
    const started = performance.now();
    const server = await startServerProcess(
      { DATA_DIR: freshDataDir(), PTY_BACKEND: backend },
      { executable: binary, cwd: dir },
    );
    console.log(
      `first start to listening (${backend}): ${Math.round(performance.now() - started)} ms`,
    );
    try {
      const session = await createSession(server.api, server.auth, [
        "-c",
        "echo from-the-binary; exit 5",
      ]);
      const viewer = await StreamClient.connect(streamUrl(server.api, session.id, 0), server.auth);
      expect((await viewer.waitForClose()).code).toBe(1000);
      expect(viewer.output.toString()).toContain("from-the-binary");
      expect(viewer.events.at(-1)).toEqual({ type: "exit", exitCode: 5, signal: null });

      // The web UI was built at compile time and is served from inside the binary.
      const origin = server.api.replace(/\/api\/v1$/, "");
      const page = await fetch(`${origin}/s/${session.id}`);
      expect(page.status).toBe(200);
      const html = await page.text();
      const script = /<script type="module" src="([^"]+)"/.exec(html)?.[1] ?? "";
      expect(script).toMatch(/^\/assets\/main-\w+\.js$/);
      const js = await fetch(`${origin}${script}`);
      expect(js.headers.get("content-type")).toContain("javascript");
      expect((await js.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
      expect((await fetch(`${origin}/sw.js`)).status).toBe(200);
    } finally {
      server.process.kill("SIGTERM");
      await server.process.exited;
    }
  },
  90_000,
);

test("version and --version print the version and the commit it was built from", async () => {
  const head = Bun.spawnSync(["git", "rev-parse", "--short=12", "HEAD"], { cwd: import.meta.dir });
  const commit = head.exitCode === 0 ? head.stdout.toString().trim() : "unknown";
  for (const args of [["version"], ["--version"]]) {
    const result = await runBinary(binary, args);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^opendray \d+\.\d+\.\d+ \(commit [0-9a-f]{12}(-dirty)?\)\n$/);
    expect(result.stdout).toContain(`(commit ${commit}`);
  }
});

// The cross-compiled arm64 binary, run under qemu-user emulation (.ci/run installs qemu-user and
// the arm64 C library): it starts and knows its version. Serving under emulation works too
// (checked by hand: sign-in and a PTY session), but a first PGlite start there takes ~45 s.
const QEMU = Bun.which("qemu-aarch64");
const ARM64_LIBC = "/usr/aarch64-linux-gnu";
test("the cross-compiled arm64 binary runs and prints its version", async () => {
  if (!QEMU || !existsSync(ARM64_LIBC)) {
    throw new Error(
      "needs qemu-user and the arm64 C library: apt-get install qemu-user libc6-arm64-cross",
    );
  }
  const arm64 = await compiledBinary("bun-linux-arm64");
  const header = readFileSync(arm64).subarray(0, 20);
  // ELF, machine 0xb7 (AArch64) at offset 18.
  expect(header.subarray(1, 4).toString()).toBe("ELF");
  expect(header.readUInt16LE(18)).toBe(0xb7);
  const child = Bun.spawn([QEMU ?? "", "-L", ARM64_LIBC, arm64, "--version"], {
    stdout: "pipe",
    stderr: "pipe",
    timeout: 60_000,
  });
  const [code, stdout] = await Promise.all([child.exited, new Response(child.stdout).text()]);
  expect(code).toBe(0);
  expect(stdout).toMatch(/^opendray \d+\.\d+\.\d+ \(commit ([0-9a-f]{12}(-dirty)?|unknown)\)\n$/);
}, 120_000);

test.each([
  [[], ["serve", "migrate", "user", "doctor", "version"]],
  [["user"], ["add", "passwd", "list"]],
  [
    ["user", "add"],
    ["--role", "admin", "viewer", "stdin"],
  ],
  [["serve"], ["LISTEN_ADDR"]],
  [["doctor"], ["runuser -u opendray --"]],
])("opendray %p --help describes %p", async (args, words) => {
  const result = await runBinary(binary, [...args, "--help"]);
  expect(result.code).toBe(0);
  for (const word of words) expect(result.stdout).toContain(word);
});

test.each([
  [["user", "add", "bob", "--rol", "admin"], "unknown option '--rol'"],
  [
    ["user", "add", "bob", "--role", "root"],
    "'root' is invalid. Allowed choices are admin, viewer",
  ],
  [["usr", "list"], "opendray: unknown command 'usr' (see opendray --help)"],
])("%p is a usage error: exit code 2 and why", async (args, message) => {
  const result = await runBinary(binary, args);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain(message);
});

test("migrate and user add prepare a database that the server then signs in with", async () => {
  const env = { DATA_DIR: freshDataDir() };
  const migrated = await runBinary(binary, ["migrate"], { env });
  expect(migrated).toMatchObject({ code: 0, stderr: "" });
  expect(migrated.stdout).toMatch(/^database schema is up to date \(\d+ migrations, pglite\)\n$/);

  const added = await runBinary(binary, ["user", "add", ADMIN.username, "--role", "admin"], {
    env,
    stdin: `${ADMIN.password}\n`,
  });
  expect(added).toMatchObject({ code: 0, stdout: `created admin ${ADMIN.username}\n` });
  const viewer = await runBinary(binary, ["user", "add", "watcher"], {
    env,
    stdin: "another long password",
  });
  expect(viewer.stdout).toBe("created viewer watcher\n");

  const refusals = [
    [["user", "add", "ADMIN"], "a different long password", "already taken"],
    [["user", "add", "shorty"], "short\n", "at least 12 characters"],
    [["user", "add", "nopass"], "", "no password on stdin"],
    [["user", "passwd", "ghost"], "a long enough password", 'no account named "ghost"'],
  ] as const;
  for (const [args, stdin, message] of refusals) {
    const refused = await runBinary(binary, [...args], { env, stdin });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toStartWith("opendray: ");
    expect(refused.stderr).toContain(message);
  }

  const listed = await runBinary(binary, ["user", "list", "--json"], { env });
  const users = JSON.parse(listed.stdout) as { username: string; role: string }[];
  expect(users.map((u) => [u.username, u.role])).toEqual([
    [ADMIN.username, "admin"],
    ["watcher", "viewer"],
  ]);

  // No ADMIN_* needed: the account from the command line signs in.
  const server = await startServerProcess(
    { ...env, ADMIN_USERNAME: "", ADMIN_PASSWORD: "" },
    { executable: binary, cwd: dir },
  );
  try {
    const me = await fetch(`${server.api}/auth/me`, { headers: server.auth });
    expect(bodyOf(await readResponse(me), 200, userSchema).username).toBe(ADMIN.username);
    // The embedded database serves one process: commands refuse while the server runs.
    const busy = await runBinary(binary, ["user", "list"], { env });
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain("stop the server first");
    const audit = await fetch(`${server.api}/audit?limit=10`, { headers: server.auth });
    const { entries } = bodyOf(await readResponse(audit), 200, auditListSchema);
    expect(entries.filter((e) => e.actor === "(command line)").map((e) => e.action)).toEqual([
      "user.create",
      "user.create",
    ]);
  } finally {
    server.process.kill("SIGTERM");
    await server.process.exited;
  }
}, 90_000);

/** Runs the binary on a pseudo-terminal; `waitFor` resolves once the screen shows `text`. */
function onTerminal(args: string[], env: Record<string, string>) {
  let output = "";
  let wake = () => {};
  const child = Bun.spawn([binary, ...args], {
    // In-process PTYs: a PTY host started here would outlive the test by a minute.
    env: { PATH: process.env.PATH ?? "", HOME: dir, PTY_HOST: "inprocess", ...env },
    terminal: {
      data(_terminal, bytes) {
        output += new TextDecoder().decode(bytes);
        wake();
      },
    },
  });
  const waitFor = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${text} in ${output}`)), 15_000);
      wake = () => {
        if (output.includes(text)) {
          clearTimeout(timer);
          resolve();
        }
      };
      wake();
    });
  return { child, waitFor, output: () => output };
}

test("on a terminal the log is readable lines, not JSON", async () => {
  const { child, waitFor, output } = onTerminal([], {
    DATA_DIR: freshDataDir(),
    LISTEN_ADDR: "127.0.0.1:0",
  });
  await waitFor("INFO  listening url=http://127.0.0.1:");
  child.kill("SIGTERM");
  expect(await child.exited).toBe(0);
  await waitFor("INFO  stopped");
  expect(output()).not.toContain('"msg"');
}, 60_000);

test("user passwd on a terminal prompts twice without echo and signs older tokens out", async () => {
  // One secret for both runs, so that only the password change can invalidate the old token.
  const env = { DATA_DIR: freshDataDir(), JWT_SECRET: "a-secret-of-at-least-thirty-two-bytes!!" };
  // A server run creates the admin; its token must stop working after the change.
  const first = await startServerProcess(env, { executable: binary, cwd: dir });
  const oldToken = first.auth;
  first.process.kill("SIGTERM");
  expect(await first.process.exited).toBe(0);

  const secret = "a brand new password 42";
  const terminal = onTerminal(["user", "passwd", ADMIN.username], env);
  const { child, waitFor } = terminal;
  await waitFor("New password for admin: ");
  child.terminal?.write(`${secret}\r`);
  await waitFor("Repeat it: ");
  child.terminal?.write(`${secret}\r`);
  expect(await child.exited).toBe(0);
  await waitFor("password of admin changed");
  expect(terminal.output()).not.toContain(secret);

  const second = await startServerProcess(env, { executable: binary, cwd: dir });
  try {
    const signIn = (password: string) =>
      fetch(`${second.api}/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: ADMIN.username, password }),
      });
    expect((await signIn(ADMIN.password)).status).toBe(401);
    const { token } = bodyOf(await readResponse(await signIn(secret)), 200, loginResultSchema);
    const me = await fetch(`${second.api}/auth/me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(me.status).toBe(200);
    expect((await fetch(`${second.api}/auth/me`, { headers: oldToken })).status).toBe(401);
  } finally {
    second.process.kill("SIGTERM");
    await second.process.exited;
  }
}, 90_000);

// The data directory's owner runs doctor: `nobody` when the tests run as root (CI), else the
// user running them. Another user then looks at it: root at nobody's, anyone else at root's "/".
const CALLER = process.getuid?.() ?? 0;
const OWNER = CALLER === 0 ? NOBODY : CALLER;

test("doctor passes for the data directory's owner and fails, saying why, on each problem", async () => {
  const dataDir = freshDataDir();
  mkdirSync(dataDir, { mode: 0o700 });
  if (CALLER === 0) chownSync(dataDir, NOBODY, NOBODY);
  const asOwner = CALLER === 0 ? NOBODY : undefined;
  const env = { DATA_DIR: dataDir, HOME: dataDir };
  // A database with an account, made by the same user.
  const added = await runBinary(binary, ["user", "add", "admin", "--role", "admin"], {
    env,
    user: asOwner,
    stdin: ADMIN.password,
  });
  expect(added.code).toBe(0);

  const healthy = await runBinary(binary, ["doctor"], { env, user: asOwner });
  expect(healthy.stderr).toBe("");
  expect(healthy.code).toBe(0);
  for (const line of [
    /^OK\s+config\s+listening on 127\.0\.0\.1:8640 \(loopback\)$/m,
    new RegExp(`^OK\\s+user\\s+uid ${OWNER} \\(not root\\)$`, "m"),
    /^OK\s+data dir\s+.* \(mode 0700, owned by this user\)$/m,
    /^OK\s+database\s+embedded PGlite in .* opens$/m,
    /^OK\s+migrations\s+all \d+ applied$/m,
    /^OK\s+accounts\s+1 account\(s\)$/m,
    /^OK\s+provider\s+shell: \/bin\/bash$/m,
    /^no problems found$/m,
  ]) {
    expect(healthy.stdout).toMatch(line);
  }

  // Another user may look, but must not open the owner's database (files it wrote would lock
  // the owner out), nor serve from it.
  const foreign = CALLER === 0 ? dataDir : "/";
  const foreignOwner = CALLER === 0 ? NOBODY : 0;
  const foreignEnv = { DATA_DIR: foreign, HOME: dataDir };
  const served = await runBinary(binary, ["serve"], {
    env: { ...foreignEnv, LISTEN_ADDR: "127.0.0.1:0" },
  });
  expect(served.code).toBe(1);
  expect(served.stderr).toContain(
    `belongs to uid ${foreignOwner}, not to this user (uid ${CALLER})`,
  );
  const looked = await runBinary(binary, ["doctor"], { env: foreignEnv });
  expect(looked.code).toBe(1);
  expect(looked.stdout).toMatch(
    new RegExp(
      `^WARN\\s+database\\s+embedded, not opened: DATA_DIR belongs to uid ${foreignOwner}`,
      "m",
    ),
  );
  // Root is a problem of its own; any other caller is fine.
  expect(looked.stdout).toMatch(
    CALLER === 0
      ? /^FAIL\s+user\s+running as root/m
      : new RegExp(`^OK\\s+user\\s+uid ${CALLER} \\(not root\\)$`, "m"),
  );

  const problems = [
    [
      "on a public bind without a secret",
      { LISTEN_ADDR: "0.0.0.0:8640" },
      asOwner,
      /^FAIL\s+secret\s+JWT_SECRET: listening on 0\.0\.0\.0/m,
    ],
    [
      "with a short secret",
      { JWT_SECRET: "short" },
      asOwner,
      /^FAIL\s+secret\s+JWT_SECRET: too short/m,
    ],
    [
      "with PostgreSQL unreachable",
      { DATABASE_URL: "postgres://u:pw@127.0.0.1:1/none" },
      asOwner,
      /^FAIL\s+database\s+cannot connect to PostgreSQL at postgres:\/\/u:\*\*\*@/m,
    ],
  ] as const;
  for (const [, extra, user, line] of problems) {
    const result = await runBinary(binary, ["doctor"], { env: { ...env, ...extra }, user });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(line);
    expect(result.stderr).toMatch(/^opendray: \d+ check\(s\) failed\n$/);
  }

  // A warning, not a failure: trusting X-Forwarded-For on a reachable port.
  const exposed = await runBinary(binary, ["doctor"], {
    env: {
      ...env,
      LISTEN_ADDR: "0.0.0.0:8640",
      TRUST_PROXY: "1",
      JWT_SECRET: "a-secret-of-at-least-thirty-two-bytes!!",
    },
    user: asOwner,
  });
  expect(exposed.code).toBe(0);
  expect(exposed.stdout).toMatch(
    /^WARN\s+config\s+listening on 0\.0\.0\.0:8640 \(not loopback\) with TRUST_PROXY/m,
  );

  chmodSync(dataDir, 0o755);
  const open = await runBinary(binary, ["doctor"], { env, user: asOwner });
  expect(open.code).toBe(1);
  expect(open.stdout).toMatch(/^FAIL\s+data dir\s+.* has mode 0755: other users could read/m);

  const badConfig = await runBinary(binary, ["doctor"], { env: { ...env, IDLE_AFTER: "soon" } });
  expect(badConfig.code).toBe(1);
  expect(badConfig.stdout).toMatch(
    /^FAIL\s+config\s+IDLE_AFTER: "soon" is not a positive duration/m,
  );

  // After all of the above, the other user's looks included, the database still opens for its owner.
  chmodSync(dataDir, 0o700);
  const again = await runBinary(binary, ["doctor"], { env, user: asOwner });
  expect(again.stdout).toMatch(/^OK\s+database\s+embedded PGlite in .* opens$/m);
  expect(again.code).toBe(0);
}, 90_000);

test("SIGTERM during a busy session: viewers told 1001, a clean exit, the database intact", async () => {
  const env = { DATA_DIR: freshDataDir() };
  const first = await startServerProcess(env, { executable: binary, cwd: dir });
  // Busy, but at up to ~20 MB/s rather than all the PTY can take: on a loaded machine a flood
  // can outrun this test's viewer by a whole scrollback, and it is then closed 4008 by design.
  const session = await createSession(first.api, first.auth, [
    "-c",
    "while :; do yes 'busy output line' | head -c 262144; sleep 0.01; done",
  ]);
  const viewer = await StreamClient.connect(streamUrl(first.api, session.id, 0), first.auth);
  await viewer.waitForBytes(1024 * 1024);

  const signalled = performance.now();
  first.process.kill("SIGTERM");
  const code = await first.process.exited;
  const shutdownMs = Math.round(performance.now() - signalled);
  console.log(`shutdown during a busy session: ${shutdownMs} ms`);
  expect(code).toBe(0);
  expect(shutdownMs).toBeLessThan(10_000);
  expect((await viewer.waitForClose()).code).toBe(1001);
  expect(first.log.join("\n")).toContain('"msg":"stopped"');

  const started = performance.now();
  const second = await startServerProcess(env, { executable: binary, cwd: dir });
  console.log(`later start to listening: ${Math.round(performance.now() - started)} ms`);
  try {
    const stored = await fetch(`${second.api}/sessions/${session.id}`, { headers: second.auth });
    expect(await stored.json()).toMatchObject({
      state: "interrupted",
      endReason: "the server shut down",
    });
    const output = await fetch(`${second.api}/sessions/${session.id}/output`, {
      headers: second.auth,
    });
    // The PTY turns \n into \r\n; a plain boolean keeps a failure from printing megabytes.
    expect((await output.text()).includes("busy output line\r\nbusy output line\r\n")).toBe(true);
  } finally {
    second.process.kill("SIGTERM");
    expect(await second.process.exited).toBe(0);
  }
  const migrated = await runBinary(binary, ["migrate"], { env });
  expect(migrated.code).toBe(0);
}, 90_000);

// PostgreSQL (TEST_DATABASE_URL, in both runs of the suite): postgres.js inside the binary, and
// commands run beside a server on a shared database.
test("on PostgreSQL the binary migrates, serves a session, and adds a user while serving", async () => {
  const database = await createTestDatabase("postgres");
  if (database.config.kind !== "postgres") throw new Error("expected PostgreSQL");
  const env = { DATA_DIR: freshDataDir(), DATABASE_URL: database.config.url };
  try {
    const migrated = await runBinary(binary, ["migrate"], { env });
    expect(migrated.stdout).toMatch(
      /^database schema is up to date \(\d+ migrations, postgres\)\n$/,
    );
    const server = await startServerProcess(env, { executable: binary, cwd: dir });
    try {
      const added = await runBinary(binary, ["user", "add", "beside"], {
        env,
        stdin: "a password for beside",
      });
      expect(added).toMatchObject({ code: 0, stdout: "created viewer beside\n" });
      const users = await fetch(`${server.api}/users`, { headers: server.auth });
      const { users: listed } = bodyOf(await readResponse(users), 200, userListSchema);
      expect(listed.map((u) => u.username).sort()).toEqual([ADMIN.username, "beside"]);
      const session = await createSession(server.api, server.auth, ["-c", "echo on-postgres"]);
      const viewer = await StreamClient.connect(streamUrl(server.api, session.id, 0), server.auth);
      expect((await viewer.waitForClose()).code).toBe(1000);
      expect(viewer.output.toString()).toContain("on-postgres");
    } finally {
      server.process.kill("SIGTERM");
      expect(await server.process.exited).toBe(0);
    }
  } finally {
    await database.drop();
  }
}, 90_000);

test("with PTY_HOST=auto the binary starts itself as the PTY host", async () => {
  const dataDir = join(dir, "data-host");
  const server = await startServerProcess(
    { DATA_DIR: dataDir, PTY_HOST: "auto" },
    { executable: binary, cwd: dir },
  );
  const hostPid = Number(readFileSync(join(dataDir, "pty-host.lock"), "utf8").trim());
  try {
    const argv = readFileSync(`/proc/${hostPid}/cmdline`, "utf8").split("\0").filter(Boolean);
    expect(argv).toEqual([binary, "pty-host"]);
    const response = await fetch(`${server.api}/sessions`, {
      method: "POST",
      headers: { "content-type": "application/json", ...server.auth },
      body: JSON.stringify({ provider: "shell", cwd: dir, args: ["-c", "echo via-the-host"] }),
    });
    const session = bodyOf(await readResponse(response), 201, sessionSchema);
    const viewer = await StreamClient.connect(streamUrl(server.api, session.id, 0), server.auth);
    expect((await viewer.waitForClose()).code).toBe(1000);
    expect(viewer.output.toString()).toContain("via-the-host");
  } finally {
    server.process.kill("SIGTERM");
    await server.process.exited;
    await stopProcess(hostPid);
  }
}, 90_000);
