// Everything a bench starts registers its undo here, so that servers and children are ended on
// success, on error and on Ctrl-C alike. Undo steps run last-registered first, each at most once.

import { readFileSync } from "node:fs";

export interface Cleanup {
  /** Register `undo`; returns a function that runs it now (and forgets it). */
  add(undo: () => Promise<void> | void): () => Promise<void>;
  /** Run every registered undo step; errors are reported, never thrown. */
  runAll(): Promise<void>;
}

export function createCleanup(): Cleanup {
  const steps = new Set<() => Promise<void> | void>();

  const run = async (step: () => Promise<void> | void) => {
    if (!steps.delete(step)) return;
    try {
      await step();
    } catch (error) {
      process.stderr.write(`bench: cleanup failed: ${String(error)}\n`);
    }
  };

  return {
    add(undo) {
      steps.add(undo);
      return () => run(undo);
    },
    async runAll() {
      for (const step of [...steps].reverse()) await run(step);
    },
  };
}

/** Send `signal` to the process group led by `pid`, then to `pid` alone; never throws. */
export function killGroup(pid: number, signal: NodeJS.Signals = "SIGKILL"): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, signal);
    } catch {
      // Gone already.
    }
  }
}

/**
 * SIGTERM to `pid` (not a child of ours, so there is no exit to await), then wait until it is
 * gone, polling; SIGKILL after `graceMs`. Never throws.
 */
export async function stopProcess(pid: number, graceMs: number): Promise<void> {
  killGroup(pid, "SIGTERM");
  const deadline = performance.now() + graceMs;
  while (isAlive(pid)) {
    if (performance.now() > deadline) {
      killGroup(pid);
      return;
    }
    await Bun.sleep(20);
  }
}

/** Whether `pid` still runs: a zombie (exited, not yet reaped by its parent) does not. */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}
