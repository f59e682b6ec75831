// A PTY host the bench starts itself (`main.ts pty-host`, as the server's launcher would) with
// bench/settle-hook.ts preloaded, so that its memory can be settled like the server's. A server
// started on the same DATA_DIR with PTY_HOST=auto connects to it instead of launching its own.

import { join } from "node:path";
import { type Cleanup, killGroup } from "./cleanup.ts";
import { type ServerMemory, watchLines } from "./server-process.ts";

const MAIN = join(import.meta.dir, "../src/main.ts");
const HOOK = join(import.meta.dir, "settle-hook.ts");
const TIMEOUT_MS = 30_000;

export interface BenchHost {
  readonly pid: number;
  /** Force a full GC in the host (SIGUSR2); resolves with the memory it reported after it. */
  settle(): Promise<ServerMemory>;
}

export async function startBenchHost(dataDir: string, cleanup: Cleanup): Promise<BenchHost> {
  const child = Bun.spawn([process.execPath, "--preload", HOOK, MAIN, "pty-host"], {
    // What the launcher gives a host (src/pty-host/launcher.ts), at the default scrollback.
    env: { DATA_DIR: dataDir, PTY_BACKEND: "bun", LOG_LEVEL: "warn" },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  // The host writes its scrollback files as it shuts down: wait for it before DATA_DIR goes.
  cleanup.add(async () => {
    killGroup(child.pid, "SIGTERM");
    const timer = setTimeout(() => killGroup(child.pid), TIMEOUT_MS);
    await child.exited;
    clearTimeout(timer);
  });
  const { nextLine } = watchLines(child, "PTY host", TIMEOUT_MS);
  await nextLine((line) => line.startsWith("ready"), "ready");
  return {
    pid: child.pid,
    async settle() {
      const reported = nextLine((line) => line.includes('"msg":"bench.settled"'), "settle");
      child.kill("SIGUSR2");
      return JSON.parse(await reported) as ServerMemory;
    },
  };
}
