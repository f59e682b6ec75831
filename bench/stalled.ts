// Figure 5: a viewer that never reads. Session running `yes` for STALL_SECONDS; viewer A is a raw
// TCP WebSocket that completes the handshake and stops reading, viewer B a normal client. B is
// compared with B alone on the same server (runs alternate), server memory is sampled, and A's
// close is read last, once B is done.

import { measureThroughput } from "./measure.ts";
import { rssKiB } from "./proc.ts";
import { RawWebSocket } from "./raw-ws.ts";
import { READY } from "./ready-marker.ts";
import type { BenchServer } from "./server-process.ts";
import { StreamViewer } from "./stream-viewer.ts";

export const STALL_SECONDS = 4;
export const PAIRS = 3;
const YES_SCRIPT = `stty -echo; printf ${READY}; IFS= read -r _; exec timeout ${STALL_SECONDS} yes`;
const RSS_SAMPLE_MS = 500;

export interface ViewerRun {
  /** Viewer B's throughput from the go key to its last byte. */
  mbps: number;
  bytes: number;
  /** B's close code: 1000 after `exit`. */
  closeCode: number;
  /** The session's outputOffset (GET /sessions/:id) at the end. */
  outputOffset: number;
  rssBeforeKiB: number;
  rssMaxKiB: number;
  /** Viewer A, when there was one. */
  stalled?: {
    /** Code of A's close frame, if one came. */
    closeCode: number | undefined;
    /** Whether the connection was closed at all (with or without a close frame). */
    ended: boolean;
    /** Payload bytes A had been sent (read after B was done). */
    bytes: number;
  };
}

/** PAIRS × (B alone, then B beside a stalled A), alternating on the same server. */
export async function stalledViewer(
  server: BenchServer,
): Promise<{ alone: ViewerRun[]; beside: ViewerRun[] }> {
  const alone: ViewerRun[] = [];
  const beside: ViewerRun[] = [];
  for (let i = 0; i < PAIRS; i++) {
    alone.push(await yesRun(server, false));
    beside.push(await yesRun(server, true));
  }
  return { alone, beside };
}

async function yesRun(server: BenchServer, withStalled: boolean): Promise<ViewerRun> {
  await server.settle();
  const session = await server.spawnShell(YES_SCRIPT);
  const url = server.streamUrl(session.id);
  const stalled = withStalled
    ? await RawWebSocket.open(url, { headers: server.headers })
    : undefined;
  stalled?.pause();
  const viewer = await StreamViewer.open(url, server.headers);
  const rssBeforeKiB = rssKiB(server.pid);
  let rssMaxKiB = rssBeforeKiB;
  const sampler = setInterval(() => {
    rssMaxKiB = Math.max(rssMaxKiB, rssKiB(server.pid));
  }, RSS_SAMPLE_MS);
  try {
    const run = await measureThroughput(viewer, (STALL_SECONDS + 60) * 1000);
    const closed = await viewer.waitForClose();
    const { outputOffset } = await server.getSession(session.id);
    let stalledResult: ViewerRun["stalled"];
    if (stalled) {
      // Read what A was sent before the server gave up on it, then its close frame.
      stalled.resume();
      const closeCode = await stalled.waitForClose(30_000).catch(() => undefined);
      stalledResult = { closeCode, ended: stalled.ended, bytes: stalled.binaryBytes };
    }
    return {
      mbps: run.mbps,
      bytes: viewer.bytes,
      closeCode: closed.code,
      outputOffset,
      rssBeforeKiB,
      rssMaxKiB,
      ...(stalledResult ? { stalled: stalledResult } : {}),
    };
  } finally {
    clearInterval(sampler);
    stalled?.destroy();
    viewer.dispose();
  }
}
