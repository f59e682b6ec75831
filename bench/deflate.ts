// Figure 6, the permessage-deflate decision: a minimal Bun.serve WebSocket in this process sends
// the same realistic terminal output (coloured `ls -lR /usr`, \n as \r\n like a PTY) to a client
// in another process, without compression, with the shared compressor and with a dedicated one.

import { join } from "node:path";
import type { ServerWebSocket, WebSocketCompressor } from "bun";
import { MiB, mbPerSecond, median } from "./stats.ts";

export const CORPUS_BYTES = 32 * MiB;
const CLIENT = join(import.meta.dir, "deflate-client.ts");
/** What Bun.serve is given as `perMessageDeflate.compress`. */
export const DEFLATE_MODES = ["off", "shared", "dedicated"] as const;
export type DeflateMode = (typeof DEFLATE_MODES)[number];
/** The server's largest frame (VIEWER_CHUNK_BYTES) and a small one, as in interactive output. */
export const FRAME_SIZES = [64 * 1024, 4 * 1024] as const;

export interface DeflateResult {
  mode: DeflateMode;
  frameBytes: number;
  /** Receiver throughput of uncompressed payload, one figure per repetition. */
  mbps: number[];
  /** Payload bytes / bytes on the wire (frame headers included). */
  ratio: number;
  extensions: string;
}

/** Terminal-like output of CORPUS_BYTES: coloured `ls -lR /usr`, repeated as needed. */
export async function terminalCorpus(): Promise<Uint8Array> {
  const child = Bun.spawn(["ls", "-lR", "--color=always", "/usr"], {
    stdout: "pipe",
    stderr: "ignore",
    env: { ...process.env, LC_ALL: "C.UTF-8" },
  });
  const listing = Buffer.from(await new Response(child.stdout).arrayBuffer());
  await child.exited;
  if (listing.length === 0) throw new Error("ls -lR /usr printed nothing");
  const text = Buffer.from(listing.toString("latin1").replaceAll("\n", "\r\n"), "latin1");
  const corpus = new Uint8Array(CORPUS_BYTES);
  for (let at = 0; at < corpus.length; at += text.length) {
    corpus.set(text.subarray(0, Math.min(text.length, corpus.length - at)), at);
  }
  return corpus;
}

/** Each mode × frame size: `repetitions` throughput runs and one wire-size run. */
export async function deflateRuns(
  corpus: Uint8Array,
  repetitions: number,
): Promise<DeflateResult[]> {
  const results: DeflateResult[] = [];
  for (const mode of DEFLATE_MODES) {
    const server = serveCorpus(corpus, mode);
    try {
      for (const frameBytes of FRAME_SIZES) {
        const url = `ws://127.0.0.1:${server.port}/?frame=${frameBytes}`;
        const mbps: number[] = [];
        let extensions = "";
        for (let i = 0; i < repetitions; i++) {
          const run = await runClient(url, "ws");
          if (run.bytes !== corpus.length) {
            throw new Error(`${mode}: received ${run.bytes} of ${corpus.length} bytes`);
          }
          mbps.push(mbPerSecond(Number(run.bytes), Number(run.ns)));
          extensions = String(run.extensions ?? "");
        }
        const wire = await runClient(url, "raw");
        results.push({
          mode,
          frameBytes,
          mbps,
          ratio: corpus.length / Number(wire.wireBytes),
          extensions,
        });
      }
    } finally {
      server.stop(true);
    }
  }
  return results;
}

export const medianOf = (result: DeflateResult) => median(result.mbps);

interface SendState {
  frameBytes: number;
  offset: number;
}

function serveCorpus(corpus: Uint8Array, mode: DeflateMode) {
  const compress = mode !== "off";
  const pump = (ws: ServerWebSocket<SendState>) => {
    const state = ws.data;
    while (state.offset < corpus.length) {
      const chunk = corpus.subarray(state.offset, state.offset + state.frameBytes);
      const status = ws.sendBinary(chunk, compress);
      if (status === 0) return; // Not queued: sent again at the next drain.
      state.offset += chunk.length;
      if (status === -1) return; // Queued, but wait for the drain.
    }
    ws.close(1000, "done");
  };
  const compressor: WebSocketCompressor = mode === "off" ? "disable" : mode;
  return Bun.serve<SendState>({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request, server) {
      const frameBytes = Number(new URL(request.url).searchParams.get("frame") ?? 65536);
      if (server.upgrade(request, { data: { frameBytes, offset: 0 } })) return undefined;
      return new Response("websocket expected", { status: 400 });
    },
    websocket: {
      perMessageDeflate: mode === "off" ? false : { compress: compressor, decompress: "shared" },
      backpressureLimit: 4 * MiB,
      open: pump,
      drain: pump,
      message() {},
    },
  });
}

async function runClient(url: string, kind: "ws" | "raw"): Promise<Record<string, unknown>> {
  const child = Bun.spawn([process.execPath, CLIENT, url, kind], {
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
  const [out, err, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  clearTimeout(timer);
  if (code !== 0) throw new Error(`deflate client (${kind}) failed (${code}): ${err.trim()}`);
  return JSON.parse(out) as Record<string, unknown>;
}
