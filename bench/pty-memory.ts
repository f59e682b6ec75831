// The memory floor of figure 4, run as its own process (`bun bench/pty-memory.ts <backend> <home>`)
// so that nothing else lives in its heap: RSS after a forced GC before and after spawning
// IDLE_SESSIONS idle `exec cat` PTYs straight from the adapter. Prints one JSON line.

import { readFileSync } from "node:fs";
import {
  createPtyBackend,
  type PtyBackendName,
  type PtyProcess,
  type PtySink,
} from "../src/sessions/pty.ts";
import { IDLE_SESSIONS } from "./idle.ts";
import { SHELL } from "./terminal.ts";

const [backend, home] = process.argv.slice(2);
if ((backend !== "bun" && backend !== "bun-pty") || !home) {
  process.stderr.write("usage: bun bench/pty-memory.ts bun|bun-pty <home>\n");
  process.exit(2);
}

const rssKiB = () =>
  Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? Number.NaN);
const settle = async () => {
  Bun.gc(true);
  await Bun.sleep(500);
  return rssKiB();
};

const pty = createPtyBackend(backend as PtyBackendName);
const env: Record<string, string> = {};
for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
Object.assign(env, { HOME: home, SHELL, TERM: "xterm-256color" });
/** One sink for all: the adapter's own cost, without a caller's closures. */
const IGNORE: PtySink = { onData() {}, onExit() {} };
const spawnCat = () =>
  pty.spawn(
    {
      file: SHELL,
      args: ["-l", "-c", "exec cat"],
      cwd: "/tmp",
      env,
      cols: 120,
      rows: 40,
    },
    IGNORE,
  );

const children: PtyProcess[] = [spawnCat()];
try {
  await Bun.sleep(300);
  const before = await settle();
  while (children.length <= IDLE_SESSIONS) children.push(spawnCat());
  await Bun.sleep(2000);
  const after = await settle();
  process.stdout.write(`${JSON.stringify({ perSessionKiB: (after - before) / IDLE_SESSIONS })}\n`);
} finally {
  for (const child of children) child.signal("SIGKILL");
  await Bun.sleep(300);
}
process.exit(0);
