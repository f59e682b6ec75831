import { describe, expect, test } from "bun:test";
import { waitUntilGone } from "../../test/support/process.ts";
import {
  createPtyBackend,
  isTrackedBunTerminal,
  type PtyBackendName,
  type PtyExit,
  type PtyProcess,
} from "./pty.ts";

const BACKENDS: PtyBackendName[] = ["bun", "bun-pty"];
const WAIT_MS = 10_000;

interface Spawned {
  pty: PtyProcess;
  output(): Buffer;
  waitFor(predicate: (output: Buffer) => boolean): Promise<Buffer>;
  exited: Promise<PtyExit>;
}

function spawnIn(backend: PtyBackendName, file: string, args: string[], cols = 80, rows = 24) {
  const chunks: Buffer[] = [];
  let waiters: (() => void)[] = [];
  let resolveExit!: (exit: PtyExit) => void;
  const exited = new Promise<PtyExit>((resolve) => {
    resolveExit = resolve;
  });
  const pty = createPtyBackend(backend).spawn(
    {
      file,
      args,
      cwd: "/tmp",
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", TERM: "xterm-256color", OD_PROBE: "a b'c" },
      cols,
      rows,
    },
    {
      onData: (bytes) => {
        chunks.push(Buffer.from(bytes));
        for (const wake of waiters) wake();
      },
      onExit: resolveExit,
    },
  );
  const output = () => Buffer.concat(chunks);
  const waitFor = (predicate: (output: Buffer) => boolean) =>
    new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out; output so far: ${JSON.stringify(output().toString())}`)),
        WAIT_MS,
      );
      const check = () => {
        if (!predicate(output())) return;
        clearTimeout(timer);
        waiters = waiters.filter((wake) => wake !== check);
        resolve(output());
      };
      waiters.push(check);
      check();
    });
  return { pty, output, waitFor, exited } satisfies Spawned;
}

const includes = (text: string) => (output: Buffer) => output.includes(text);

describe.each(BACKENDS)("%s backend", (backend) => {
  test("echoes bytes through cat exactly, including invalid UTF-8 and NUL", async () => {
    const child = spawnIn(backend, "bash", ["-c", "stty raw -echo && printf READY && exec cat"]);
    await child.waitFor(includes("READY"));
    const payload = Buffer.from([0x00, 0x61, 0xff, 0xfe, 0xc3, 0x28, 0x00, 0x0a, 0x7f, 0xe2, 0x82]);
    child.pty.write(payload);
    const out = await child.waitFor((o) => o.length >= 5 + payload.length);
    expect(out.subarray(5)).toEqual(payload);
    child.pty.signal("SIGKILL");
    await child.exited;
  });

  test("passes argv entries with spaces and quotes unchanged, and the environment", async () => {
    const child = spawnIn(backend, "bash", [
      "-c",
      'printf "<%s>" "$0" "$1" "$OD_PROBE" "$TERM"; pwd',
      "one two",
      `it's "quoted"`,
    ]);
    await child.exited;
    expect(child.output().toString()).toContain(
      `<one two><it's "quoted"><a b'c><xterm-256color>/tmp`,
    );
  });

  test("starts at the requested size and resizes", async () => {
    const child = spawnIn(backend, "bash", ["-c", "stty size; read; stty size"], 123, 45);
    await child.waitFor(includes("45 123"));
    child.pty.resize(200, 60);
    child.pty.write(Buffer.from("\n"));
    await child.waitFor(includes("60 200"));
    await child.exited;
  });

  test("gives the child its own process group with a controlling terminal", async () => {
    const child = spawnIn(backend, "bash", ["-c", 'echo "pg=$(ps -o pgid= $$) pid=$$ tty=$(tty)"']);
    const exit = await child.exited;
    const match = /pg=\s*(\d+) pid=(\d+) tty=(\S+)/.exec(child.output().toString());
    expect(match?.[1]).toBe(String(child.pty.pid));
    expect(match?.[2]).toBe(String(child.pty.pid));
    expect(match?.[3]).toStartWith("/dev/pts/");
    expect(exit).toEqual({ exitCode: 0, signal: null });
  });

  test("reports the exit code after all output", async () => {
    const child = spawnIn(backend, "bash", ["-c", "head -c 300000 /dev/zero | tr '\\0' x; exit 7"]);
    const exit = await child.exited;
    expect(exit.exitCode).toBe(7);
    expect(child.output().toString().replaceAll(/[^x]/g, "").length).toBe(300000);
  });

  test("a signal reaches the whole process group", async () => {
    const child = spawnIn(backend, "bash", ["-c", "sleep 100 & echo child=$!; wait"]);
    const out = await child.waitFor(includes("\n"));
    const grandchild = Number(/child=(\d+)/.exec(out.toString())?.[1]);
    child.pty.signal("SIGKILL");
    const exit = await child.exited;
    if (createPtyBackend(backend).reportsSignals) {
      expect(exit).toEqual({ exitCode: null, signal: "SIGKILL" });
    } else {
      expect(exit.exitCode).not.toBe(0);
    }
    expect(await waitUntilGone(grandchild)).toBe(true);
  });

  test("processes running at once each deliver to their own sink", async () => {
    const children = Array.from({ length: 6 }, (_, index) =>
      spawnIn(backend, "bash", [
        "-c",
        `for i in 1 2 3 4 5 6 7 8; do printf '[%s]' ${index}; sleep 0.01; done; exit ${10 + index}`,
      ]),
    );
    const exits = await Promise.all(children.map((child) => child.exited));
    children.forEach((child, index) => {
      expect(exits[index]?.exitCode).toBe(10 + index);
      expect(child.output().toString().replaceAll(/\s/g, "")).toBe(`[${index}]`.repeat(8));
    });
    expect(children.filter((child) => isTrackedBunTerminal(child.pty))).toEqual([]);
  });
});

test("the built-in backend refuses a missing executable", () => {
  expect(() =>
    createPtyBackend("bun").spawn(
      {
        file: "/nonexistent/opendray-probe",
        args: [],
        cwd: "/tmp",
        env: {},
        cols: 80,
        rows: 24,
      },
      {
        onData: () => {},
        onExit: () => {},
      },
    ),
  ).toThrow();
});
