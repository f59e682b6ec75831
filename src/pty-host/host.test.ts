import { afterAll, afterEach, expect, test } from "bun:test";
import { chmodSync, chownSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../config.ts";
import { lockFile } from "../data-dir.ts";
import { createLogger } from "../log.ts";
import { connectHost, HostVersionError } from "./client.ts";
import { FrameDecoder, FrameKind, PROTOCOL_VERSION } from "./frames.ts";
import { type PtyHost, startPtyHost } from "./host.ts";
import { ensurePtyHost } from "./launcher.ts";
import { checkSocketOwnership, HOST_LOCK_NAME, socketPath } from "./socket-path.ts";

const dirs: string[] = [];
const hosts: PtyHost[] = [];
afterEach(() => {
  for (const host of hosts.splice(0)) host.close();
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function startHost(): { host: PtyHost; dataDir: string } {
  const dataDir = mkdtempSync(join(tmpdir(), "opendray-host-"));
  dirs.push(dataDir);
  const config = loadConfig({ DATA_DIR: dataDir, SCROLLBACK_BYTES: "64kb" });
  const host = startPtyHost(config, { version: "test", logger: createLogger("silent") });
  hosts.push(host);
  return { host, dataDir };
}

/** Raw bytes to the socket; resolves with the frames the host answered before it hung up. */
async function sendRaw(path: string, bytes: Uint8Array): Promise<unknown[]> {
  const decoder = new FrameDecoder();
  const messages: unknown[] = [];
  const { promise, resolve } = Promise.withResolvers<unknown[]>();
  const socket = await Bun.connect({
    unix: path,
    socket: {
      data(_socket, chunk) {
        for (const frame of decoder.push(chunk)) {
          if (frame.kind === FrameKind.control) messages.push(frame.message);
        }
      },
      close: () => resolve(messages),
    },
  });
  socket.write(bytes);
  return promise;
}

function frame(kind: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + body.length);
  new DataView(out.buffer).setUint32(0, body.length + 1);
  out[4] = kind;
  out.set(body, 5);
  return out;
}
const json = (value: unknown) => frame(FrameKind.control, Buffer.from(JSON.stringify(value)));

test("the socket is 0600 in a 0700 directory", () => {
  const { host, dataDir } = startHost();
  expect(statSync(host.socketPath).mode & 0o777).toBe(0o600);
  expect(statSync(dataDir).mode & 0o777).toBe(0o700);
  expect(() => checkSocketOwnership(host.socketPath, dataDir)).not.toThrow();
});

test("the server refuses a socket or directory others can reach or own", () => {
  const { host, dataDir } = startHost();
  chmodSync(host.socketPath, 0o666);
  expect(() => checkSocketOwnership(host.socketPath, dataDir)).toThrow(/accessible to others/);
  chmodSync(host.socketPath, 0o600);
  chmodSync(dataDir, 0o755);
  expect(() => checkSocketOwnership(host.socketPath, dataDir)).toThrow(/accessible to others/);
  chmodSync(dataDir, 0o700);
  if (process.getuid?.() === 0) {
    chownSync(host.socketPath, 65534, 65534);
    expect(() => checkSocketOwnership(host.socketPath, dataDir)).toThrow(/belongs to uid 65534/);
  }
});

test("connecting refuses a socket with the wrong owner checks before any byte", async () => {
  const { host, dataDir } = startHost();
  chmodSync(host.socketPath, 0o660);
  await expect(connectHost(host.socketPath, dataDir, "test")).rejects.toThrow(/accessible/);
});

test.each([
  ["a frame of an unknown kind", frame(9, new Uint8Array([1, 2, 3])), "unknown frame kind 9"],
  ["a length past the limit", new Uint8Array([0x7f, 0xff, 0xff, 0xff, 1]), "outside"],
  ["text that is not JSON", frame(FrameKind.control, Buffer.from("hello?")), "not UTF-8 JSON"],
  ["input before the hello", frame(FrameKind.input, Buffer.from("x".repeat(40))), "invalid"],
  ["a first message that is not a hello", json({ type: "spawn" }), "must be a hello"],
])("%s gets a clear error and the host lives on", async (_name, bytes, message) => {
  const { host, dataDir } = startHost();
  const answers = await sendRaw(host.socketPath, bytes);
  expect(answers).toEqual([
    { type: "error", code: "protocol_error", message: expect.stringContaining(message) },
  ]);
  const client = await connectHost(host.socketPath, dataDir, "test");
  expect(client.pid).toBe(process.pid);
  client.close();
});

test.each([
  ["spawn", { type: "spawn", id: "../../etc/passwd", file: "/bin/sh" }],
  ["signal", { type: "signal", id: "0".repeat(36), signal: "SIGSTOP" }],
])("an invalid %s message after the hello is refused; the host lives on", async (type, message) => {
  const { host, dataDir } = startHost();
  const hello = json({ type: "hello", protocol: PROTOCOL_VERSION, version: "x" });
  const answers = await sendRaw(host.socketPath, Buffer.concat([hello, json(message)]));
  expect(answers.at(-1)).toEqual({
    type: "error",
    code: "protocol_error",
    message: `invalid ${type} message`,
  });
  (await connectHost(host.socketPath, dataDir, "test")).close();
});

test("another protocol version is refused with a version error, sessions untouched", async () => {
  const { host } = startHost();
  const answers = await sendRaw(
    host.socketPath,
    json({ type: "hello", protocol: PROTOCOL_VERSION + 1, version: "9.9.9" }),
  );
  expect(answers).toEqual([
    { type: "error", code: "protocol_mismatch", message: expect.stringContaining("protocol") },
  ]);
});

test("a server meeting a host of another protocol version fails with a clear error", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "opendray-host-"));
  dirs.push(dataDir);
  const path = socketPath(dataDir);
  // An "old" host: answers any hello with protocol_mismatch, as a real one of another version.
  const listener = Bun.listen({
    unix: path,
    socket: {
      data(socket) {
        const message = JSON.stringify({
          type: "error",
          code: "protocol_mismatch",
          message: "this PTY host (pid 4242, OpenDray 0.0.9) speaks protocol 0, the server 1",
        });
        socket.write(frame(FrameKind.control, Buffer.from(message)));
        socket.end();
      },
    },
  });
  chmodSync(path, 0o600);
  try {
    const config = loadConfig({ DATA_DIR: dataDir });
    const failure = ensurePtyHost(config, "test");
    await expect(failure).rejects.toBeInstanceOf(HostVersionError);
    await expect(failure).rejects.toThrow(/pid 4242.*speaks protocol 0/);
  } finally {
    listener.stop(true);
  }
});

test("a second server is refused while one is connected; the first keeps working", async () => {
  const { host, dataDir } = startHost();
  const first = await connectHost(host.socketPath, dataDir, "test");
  await expect(connectHost(host.socketPath, dataDir, "test")).rejects.toThrow(
    /already serves a server/,
  );
  const { promise: exited, resolve: onExit } = Promise.withResolvers<unknown>();
  const pty = await first.spawn(
    {
      id: crypto.randomUUID(),
      file: "/bin/sh",
      args: ["-c", "exit 3"],
      cwd: "/tmp",
      env: {},
      cols: 80,
      rows: 24,
    },
    { onData() {}, onExit },
  );
  pty.begin();
  expect(await exited).toEqual({ exitCode: 3, signal: null });
  first.close();
});

test("a session outlives its client: the next one gets its scrollback and live output", async () => {
  const { host, dataDir } = startHost();
  const first = await connectHost(host.socketPath, dataDir, "test");
  const id = crypto.randomUUID();
  const { promise: exited, resolve: onExit } = Promise.withResolvers<unknown>();
  let firstOutput = "";
  const pty = await first.spawn(
    {
      id,
      file: "/bin/cat",
      args: [],
      cwd: "/tmp",
      env: { PATH: "/usr/bin:/bin", TERM: "xterm-256color" },
      cols: 80,
      rows: 24,
    },
    {
      onData: (bytes) => {
        firstOutput += Buffer.from(bytes).toString();
      },
      onExit,
    },
  );
  pty.begin();
  pty.write(Buffer.from("one\n"));
  while (!firstOutput.includes("one\r\none\r\n")) await Bun.sleep(5);
  first.close();
  await first.lost;

  const second = await connectHost(host.socketPath, dataDir, "test");
  const hosted = second.hosted.get(id);
  expect(hosted).toMatchObject({ pid: pty.pid, start: 0, cols: 80, rows: 24 });
  expect(Buffer.from(hosted?.replay ?? []).toString()).toBe(firstOutput);
  let more = "";
  const taken = hosted?.take({ onData: (bytes) => (more += Buffer.from(bytes)), onExit });
  taken?.begin?.();
  taken?.write(Buffer.from("two\n"));
  while (!more.includes("two\r\n")) await Bun.sleep(5);
  taken?.signal("SIGTERM");
  expect(await exited).toMatchObject({ signal: "SIGTERM" });
  second.close();
});

test("a PTY left narrowed by a forced repaint gets its size back when the next server connects", async () => {
  const { host, dataDir } = startHost();
  const first = await connectHost(host.socketPath, dataDir, "test");
  const id = crypto.randomUUID();
  let output = "";
  const onData = (bytes: Uint8Array) => {
    output += Buffer.from(bytes).toString();
  };
  const sees = async (size: string) => {
    while (!output.includes(size)) await Bun.sleep(5);
  };
  const pty = await first.spawn(
    {
      id,
      file: "/bin/sh",
      args: ["-c", "stty -echo; while read line; do stty size; done"],
      cwd: "/tmp",
      env: { PATH: "/usr/bin:/bin", TERM: "xterm-256color" },
      cols: 80,
      rows: 24,
    },
    { onData, onExit: () => undefined },
  );
  pty.begin();
  // The repaint's narrowing, and the server gone before it could widen the PTY back.
  pty.resize(79, 24, true);
  pty.write(Buffer.from("size\n"));
  await sees("24 79\r\n");
  first.close();
  await first.lost;

  const second = await connectHost(host.socketPath, dataDir, "test");
  const hosted = second.hosted.get(id);
  expect(hosted).toMatchObject({ cols: 80, rows: 24 });
  output = "";
  const taken = hosted?.take({ onData, onExit: () => undefined });
  taken?.begin?.();
  taken?.write(Buffer.from("size\n"));
  await sees("24 80\r\n");
  taken?.signal("SIGKILL");
  second.close();
});

test("a host with no session and no server exits; a closed one never does", async () => {
  const exits: number[] = [];
  const { promise: exited, resolve } = Promise.withResolvers<void>();
  const start = (dataDir: string) =>
    startPtyHost(loadConfig({ DATA_DIR: dataDir }), {
      version: "test",
      logger: createLogger("silent"),
      idleExitMs: 50,
      exit: (code) => {
        exits.push(code);
        resolve();
      },
    });
  const idle = mkdtempSync(join(tmpdir(), "opendray-host-"));
  dirs.push(idle);
  start(idle);
  await exited;
  expect(exits).toEqual([0]);

  // Closed while a server was connected: the socket's close comes after, and arms nothing.
  const dataDir = mkdtempSync(join(tmpdir(), "opendray-host-"));
  dirs.push(dataDir);
  const host = start(dataDir);
  const client = await connectHost(host.socketPath, dataDir, "test");
  await host.close();
  await client.lost;
  await Bun.sleep(200);
  expect(exits).toEqual([0]);
});

test("a socket path past the unix limit is a clear error", () => {
  expect(() => socketPath(`/tmp/${"x".repeat(120)}`)).toThrow(/longer than 107 bytes/);
});

test("a server whose own host loses the race for the lock waits for the host that won", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "opendray-host-"));
  dirs.push(dataDir);
  // Another host is starting (a systemd unit of its own): it holds the lock but does not listen.
  const held = lockFile(join(dataDir, HOST_LOCK_NAME));
  if (!held) throw new Error("could not take the host lock");
  const config = loadConfig({ DATA_DIR: dataDir, SCROLLBACK_BYTES: "64kb" });
  const connecting = ensurePtyHost(config, "test", {
    // The detached host this call started found the lock taken and exited: now the other one
    // takes its place and listens.
    onWaiting() {
      held.release();
      hosts.push(startPtyHost(config, { version: "test", logger: createLogger("silent") }));
    },
  });
  const connection = await connecting;
  try {
    expect(connection.pid).toBe(process.pid);
  } finally {
    connection.close();
  }
}, 30_000);
