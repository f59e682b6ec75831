// Figures 2 and 3 through the server: a session's output counted by one WebSocket viewer, and
// keystroke echo typed as binary frames. The viewer runs in this process, the server in its own.

import {
  ECHO_SCRIPT,
  goKey,
  measureEcho,
  measureThroughput,
  producerScript,
  type ThroughputRun,
} from "./measure.ts";
import { cpuMs } from "./proc.ts";
import type { BenchServer } from "./server-process.ts";
import { mbPerSecond } from "./stats.ts";
import { StreamViewer } from "./stream-viewer.ts";

/** One viewer of a new session running `script`, attached from offset 0. */
export async function openSession(server: BenchServer, script: string) {
  const session = await server.spawnShell(script);
  const viewer = await StreamViewer.open(server.streamUrl(session.id), server.headers);
  return { session, viewer };
}

/**
 * `repetitions` runs of the 100 MiB producer counted by one viewer until `exit`; with
 * `warmUpBytes`, that much output first fills the session's scrollback (untimed).
 */
export async function streamThroughput(
  server: BenchServer,
  repetitions: number,
  warmUpBytes = 0,
): Promise<ThroughputRun[]> {
  const results: ThroughputRun[] = [];
  for (let i = 0; i < repetitions; i++) {
    const { viewer } = await openSession(server, producerScript(warmUpBytes));
    try {
      await viewer.waitForReady();
      const cpuBefore = cpuMs(server.pid);
      const run = await measureThroughput(viewer);
      results.push({ ...run, serverCpuMs: cpuMs(server.pid) - cpuBefore });
    } finally {
      viewer.dispose();
    }
  }
  return results;
}

export interface FallBehindRun {
  /** Output bytes received after the go key. */
  bytes: number;
  /** Throughput of what was received, go key to last byte. */
  mbps: number;
  /** Close code of the viewer: 1000 after `exit`, 4008 when it stopped reading too long. */
  closeCode: number;
  /** Snapshots it was sent: each time the ring overtook it, it resynced (output skipped). */
  resyncs: number;
  /** CPU time of the server from the go key to the close. */
  serverCpuMs: number;
}

/** The producer on a server whose scrollback may be smaller than a viewer's lag at some moment. */
export async function streamFallBehind(
  server: BenchServer,
  repetitions: number,
): Promise<FallBehindRun[]> {
  const results: FallBehindRun[] = [];
  for (let i = 0; i < repetitions; i++) {
    const { viewer } = await openSession(server, producerScript());
    try {
      await viewer.waitForReady();
      const before = viewer.bytes;
      let lastNs = 0;
      viewer.onChunk = (_length, atNs) => {
        lastNs = atNs;
      };
      const cpuBefore = cpuMs(server.pid);
      const startNs = Bun.nanoseconds();
      viewer.write(goKey());
      const closed = await viewer.waitForClose(120_000);
      const bytes = viewer.bytes - before;
      results.push({
        bytes,
        mbps: mbPerSecond(bytes, lastNs - startNs),
        closeCode: closed.code,
        resyncs: viewer.events.filter((event) => event.type === "snapshot").length,
        serverCpuMs: cpuMs(server.pid) - cpuBefore,
      });
    } finally {
      viewer.dispose();
    }
  }
  return results;
}

/** Echo round trips (µs) through the server: binary frame in, PTY, `cat`, binary frame out. */
export async function streamEcho(server: BenchServer): Promise<number[]> {
  const { viewer } = await openSession(server, ECHO_SCRIPT);
  try {
    return await measureEcho(viewer);
  } finally {
    viewer.dispose();
  }
}
