// Readers of /proc for another process: resident memory, context switches of all its threads
// (each one is a wake-up of that thread), and CPU time. Reading them never wakes that process.

import { readdirSync, readFileSync } from "node:fs";

/** Resident set size of `pid` in KiB (VmRSS of /proc/<pid>/status). */
export function rssKiB(pid: number): number {
  return statusField(readFileSync(`/proc/${pid}/status`, "utf8"), "VmRSS");
}

export interface ContextSwitches {
  /** Voluntary + non-voluntary context switches of every thread (each one is a wake-up). */
  allThreads: number;
  /** The same for the main thread alone (the event loop). */
  mainThread: number;
  /** Threads seen. */
  threads: number;
}

/** Context switches per thread id of `pid` so far. */
export function threadSwitches(pid: number): Map<string, number> {
  const switches = new Map<string, number>();
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      const status = readFileSync(`/proc/${pid}/task/${task}/status`, "utf8");
      switches.set(
        task,
        statusField(status, "voluntary_ctxt_switches") +
          statusField(status, "nonvoluntary_ctxt_switches"),
      );
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return switches;
}

/**
 * Counts the wake-ups of `pid` from now on. Call `sample()` often (threads come and go: a thread
 * that ends loses only what it did since the last sample); `total()` sums the increments.
 */
export function createWakeupCounter(pid: number) {
  let last = threadSwitches(pid);
  const seen = new Set(last.keys());
  let allThreads = 0;
  let mainThread = 0;
  const sample = () => {
    const now = threadSwitches(pid);
    for (const [task, count] of now) {
      const delta = count - (last.get(task) ?? 0);
      allThreads += delta;
      if (task === String(pid)) mainThread += delta;
      seen.add(task);
    }
    last = now;
  };
  return {
    sample,
    total(): ContextSwitches {
      sample();
      return { allThreads, mainThread, threads: seen.size };
    },
  };
}

/** User + system CPU time of `pid` (all threads) in milliseconds. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** Busy and total CPU time of the whole machine (all cores) so far, in clock ticks. */
export function machineTicks(): { busy: number; total: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "";
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = ticks.reduce((sum, value) => sum + value, 0);
  // user nice system idle iowait irq softirq steal: idle and iowait are not busy.
  return { busy: total - (ticks[3] ?? 0) - (ticks[4] ?? 0), total };
}

/** USER_HZ; 100 on every Linux architecture Bun supports. */
const CLOCK_TICKS_PER_SECOND = 100;

function statusField(status: string, name: string): number {
  const match = new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(status);
  if (!match?.[1]) throw new Error(`no ${name} in /proc status`);
  return Number(match[1]);
}
