// Figure 1 and the echo floor: the PTY adapter read straight in this process, no server, no
// WebSocket. Every server figure is printed beside these, measured in the same run.

import type { PtyBackendName } from "../src/sessions/pty.ts";
import {
  ECHO_SCRIPT,
  measureEcho,
  measureThroughput,
  producerScript,
  type ThroughputRun,
} from "./measure.ts";
import { spawnPtyTerminal } from "./terminal.ts";

/** `repetitions` runs of the 100 MB producer read from the adapter. */
export async function floorThroughput(
  backend: PtyBackendName,
  repetitions: number,
  home: string,
): Promise<ThroughputRun[]> {
  const results: ThroughputRun[] = [];
  for (let i = 0; i < repetitions; i++) {
    const terminal = spawnPtyTerminal(backend, producerScript(), home);
    try {
      results.push(await measureThroughput(terminal));
    } finally {
      terminal.dispose();
    }
  }
  return results;
}

/** Echo round trips (µs) of `cat` in raw mode, typed straight into the adapter. */
export async function floorEcho(backend: PtyBackendName, home: string): Promise<number[]> {
  const terminal = spawnPtyTerminal(backend, ECHO_SCRIPT, home);
  try {
    return await measureEcho(terminal);
  } finally {
    terminal.dispose();
  }
}
