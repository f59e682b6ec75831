// All figures of one PTY backend, in an order that keeps comparisons fair on a noisy machine:
// raw-PTY and the three WebSocket throughput runs alternate (same conditions for all), then
// echo, then a fresh server with the default scrollback for idle sessions and the stalled viewer.

import type { PtyBackendName } from "../src/sessions/pty.ts";
import type { Cleanup } from "./cleanup.ts";
import { floorEcho, floorThroughput } from "./floor.ts";
import { type IdleResult, idleSessions } from "./idle.ts";
import type { ThroughputRun } from "./measure.ts";
import { throwawayDatabase } from "./postgres.ts";
import { type ServerTemplate, startBenchServer } from "./server-process.ts";
import { stalledViewer, type ViewerRun } from "./stalled.ts";
import { type FallBehindRun, streamEcho, streamFallBehind, streamThroughput } from "./stream.ts";

/** Runs of each throughput figure (the medians are printed); other figures take 3. */
export const THROUGHPUT_REPETITIONS = 5;
export const REPETITIONS = 3;
/** Scrollback for the throughput figure: larger than any lag of a viewer that keeps up. */
export const LARGE_SCROLLBACK = "128mb";
export const LARGE_SCROLLBACK_BYTES = 128 * 1024 * 1024;

export interface BackendResults {
  backend: PtyBackendName;
  floor: ThroughputRun[];
  /** Through the server, in a new session (its scrollback fills during the run). */
  stream: ThroughputRun[];
  /** The same once LARGE_SCROLLBACK of output has filled the scrollback (a long-lived session). */
  streamFull: ThroughputRun[];
  /** Echo round trips (µs), one array per round; the floor's and the server's rounds alternate. */
  floorEcho: number[][];
  streamEcho: number[][];
  fallBehind?: FallBehindRun[];
  idle?: IdleResult;
  /** Figure 4 again with the database in PostgreSQL instead of PGlite inside the server. */
  idlePostgres?: IdleResult;
  stalled?: { alone: ViewerRun[]; beside: ViewerRun[] };
  /** Measurements that could not be taken, with why. */
  failures: { section: string; message: string }[];
}

export async function benchBackend(
  backend: PtyBackendName,
  template: ServerTemplate,
  home: string,
  cleanup: Cleanup,
  log: (line: string) => void,
): Promise<BackendResults> {
  const results: BackendResults = {
    backend,
    floor: [],
    stream: [],
    streamFull: [],
    floorEcho: [],
    streamEcho: [],
    failures: [],
  };
  const attempt = async <T>(section: string, run: () => Promise<T>): Promise<T | undefined> => {
    log(`  ${backend}: ${section}…`);
    try {
      return await run();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      results.failures.push({ section, message });
      log(`  ${backend}: ${section} could not be measured: ${message}`);
      return undefined;
    }
  };

  await attempt(`servers with SCROLLBACK_BYTES=${LARGE_SCROLLBACK} and the default`, async () => {
    const server = await startBenchServer(
      { backend, template, env: { SCROLLBACK_BYTES: LARGE_SCROLLBACK, IDLE_AFTER: "1s" } },
      cleanup,
    );
    const small = await startBenchServer(
      { backend, template, env: { IDLE_AFTER: "1s" } },
      cleanup,
    ).catch(async (error) => {
      await server.stop();
      throw error;
    });
    results.fallBehind = [];
    try {
      for (let i = 0; i < THROUGHPUT_REPETITIONS; i++) {
        await attempt(`raw PTY throughput ${i + 1}`, async () => {
          results.floor.push(...(await floorThroughput(backend, 1, home)));
        });
        await attempt(`WebSocket throughput ${i + 1}`, async () => {
          results.stream.push(...(await streamThroughput(server, 1)));
        });
        await attempt(`WebSocket throughput, full scrollback ${i + 1}`, async () => {
          results.streamFull.push(...(await streamThroughput(server, 1, LARGE_SCROLLBACK_BYTES)));
        });
        await attempt(`WebSocket throughput at the default scrollback ${i + 1}`, async () => {
          results.fallBehind?.push(...(await streamFallBehind(small, 1)));
        });
      }
      for (let i = 0; i < REPETITIONS; i++) {
        await attempt(`raw PTY echo ${i + 1}`, async () => {
          results.floorEcho.push(await floorEcho(backend, home));
        });
        await attempt(`WebSocket echo ${i + 1}`, async () => {
          results.streamEcho.push(await streamEcho(server));
        });
      }
    } finally {
      await Promise.all([server.stop(), small.stop()]);
    }
  });

  await attempt("server with the default SCROLLBACK_BYTES", async () => {
    const server = await startBenchServer(
      { backend, template, env: { IDLE_AFTER: "1s" } },
      cleanup,
    );
    try {
      results.idle = await attempt("100 idle sessions", () => idleSessions(server, home));
      results.stalled = await attempt("stalled viewer", () => stalledViewer(server));
    } finally {
      await server.stop();
    }
  });
  // PGlite runs inside the server: its page cache and WASM heap grow with the rows the sessions
  // write, and count as server memory. The same figure with the database elsewhere separates
  // what the sessions cost from what the embedded database costs.
  await attempt("server on PostgreSQL", async () => {
    const databaseUrl = await throwawayDatabase(cleanup);
    const server = await startBenchServer(
      { backend, template, env: { IDLE_AFTER: "1s", DATABASE_URL: databaseUrl } },
      cleanup,
    );
    try {
      results.idlePostgres = await attempt("100 idle sessions on PostgreSQL", () =>
        idleSessions(server, home),
      );
    } finally {
      await server.stop();
    }
  });
  return results;
}
