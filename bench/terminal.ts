// What a measurement drives: a terminal that takes input bytes and reports output chunks. Two
// implementations: the PTY adapter itself (the floor, in this process, no server) and a viewer of
// a session's WebSocket stream (bench/stream-viewer.ts), so each figure is measured the same way.

import { createPtyBackend, type PtyBackendName, type PtyProcess } from "../src/sessions/pty.ts";
import { killGroup } from "./cleanup.ts";
import { READY, ReadyMarker } from "./ready-marker.ts";
import { withTimeout } from "./stats.ts";

export interface Terminal {
  /** Output bytes received so far. */
  readonly bytes: number;
  /** Called synchronously with each output chunk's length and arrival time (Bun.nanoseconds()). */
  onChunk: ((length: number, atNs: number) => void) | undefined;
  write(data: Uint8Array<ArrayBuffer>): void;
  /** Resolve once the program has printed READY (bench/ready-marker.ts). */
  waitForReady(timeoutMs?: number): Promise<void>;
  /** Resolve once the program has exited and all its output has arrived. */
  waitForExit(timeoutMs?: number): Promise<void>;
  /** End the program (if still running) and let go of it. */
  dispose(): void;
}

/** The shell every bench program runs under, as the server's shell provider runs it. */
export const SHELL = "/bin/bash";

/** Spawn `bash -l -c script` on the PTY adapter `backend`, in this process, with HOME=`home`. */
export function spawnPtyTerminal(backend: PtyBackendName, script: string, home: string): Terminal {
  let bytes = 0;
  const ready = new ReadyMarker();
  let exited = false;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const waiter of [...waiters]) waiter();
  };
  const until = (check: () => boolean, what: string, timeoutMs: number) => {
    let waiter: (() => void) | undefined;
    const done = new Promise<void>((resolve) => {
      waiter = () => {
        if (check()) resolve();
      };
      waiters.add(waiter);
      waiter();
    });
    return withTimeout(done, timeoutMs, what).finally(() => {
      if (waiter) waiters.delete(waiter);
    });
  };

  const terminal: Terminal = {
    get bytes() {
      return bytes;
    },
    onChunk: undefined,
    write: (data) => pty.write(data),
    waitForReady: (timeoutMs = 60_000) => until(() => ready.seen, READY, timeoutMs),
    waitForExit: (timeoutMs = 60_000) => until(() => exited, "exit", timeoutMs),
    dispose: () => {
      if (!exited) killGroup(pty.pid);
    },
  };
  const pty: PtyProcess = createPtyBackend(backend).spawn(
    {
      file: SHELL,
      args: ["-l", "-c", script],
      cwd: "/tmp",
      env: childEnv(home),
      cols: 120,
      rows: 40,
    },
    {
      onData: (chunk) => {
        bytes += chunk.length;
        terminal.onChunk?.(chunk.length, Bun.nanoseconds());
        if (!ready.seen && ready.feed(chunk)) wake();
      },
      onExit: () => {
        exited = true;
        wake();
      },
    },
  );
  return terminal;
}

/** The environment the server gives a session (DESIGN §6), from this process's own. */
function childEnv(home: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined) env[key] = value;
  }
  if (!env.LANG && !env.LC_ALL && !env.LC_CTYPE) env.LANG = "C.UTF-8";
  return { ...env, HOME: home, SHELL, TERM: "xterm-256color", COLORTERM: "truecolor" };
}
