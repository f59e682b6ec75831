// Process checks for tests.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/** True while `pid` exists and is not a zombie (a killed orphan may linger unreaped). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

/**
 * Resolve true once `pid` is gone (or a zombie), false after `timeoutMs`. Another process's
 * death raises no event here, so this polls /proc; a SIGKILL is delivered asynchronously.
 */
export async function waitUntilGone(pid: number, timeoutMs = 2000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isRunning(pid)) {
    if (Date.now() > deadline) return false;
    await Bun.sleep(10);
  }
  return true;
}

/** SIGTERM `pid` and wait until it is gone; SIGKILL when it lingers past `timeoutMs`. */
export async function stopProcess(pid: number, timeoutMs = 5000): Promise<void> {
  if (!isRunning(pid)) return;
  process.kill(pid, "SIGTERM");
  if (await waitUntilGone(pid, timeoutMs)) return;
  process.kill(pid, "SIGKILL");
  await waitUntilGone(pid, timeoutMs);
}

/**
 * Pids of the processes whose executable lives under `dir`: programs that left their session's
 * process group (daemons a CLI starts for itself) and that a test must still end.
 */
export function processesUnder(dir: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readlinkSync(`/proc/${name}/exe`).startsWith(`${dir}/`)) pids.push(Number(name));
    } catch {
      // Gone meanwhile, or a kernel thread without an executable.
    }
  }
  return pids;
}
