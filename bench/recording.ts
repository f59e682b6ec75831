// What recording sessions costs the PTY's path: figures 2 and 3 (throughput through the
// WebSocket, keystroke echo) on servers side by side that differ only in RECORDING_LIMIT — 0 (no
// recording), the default 16mb (a flood reaches it within its first sixth, then only a compare per
// read is left), 1gb (all 100 MiB recorded: the worst case) — in process and through the PTY
// host, runs alternating with the raw PTY floor so that each sees the same machine load.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRecordingStore } from "../src/sessions/recording-store.ts";
import { RingBuffer } from "../src/sessions/ring-buffer.ts";
import { LARGE_SCROLLBACK } from "./backend.ts";
import { type Cleanup, stopProcess } from "./cleanup.ts";
import { floorEcho, floorThroughput } from "./floor.ts";
import { ECHO_KEYS, OUTPUT_BYTES, type ThroughputRun } from "./measure.ts";
import { cpuMs } from "./proc.ts";
import { type BenchServer, type ServerTemplate, startBenchServer } from "./server-process.ts";
import { fixed, median, medianOfRounds, percent, percentile, roundMedians, runs } from "./stats.ts";
import { streamEcho, streamThroughput } from "./stream.ts";
import { FIGURE_HEADER, type Row, renderTable } from "./table.ts";

const REPETITIONS = 3;
const THROUGHPUT_REPETITIONS = 5;
const HOST_STOP_GRACE_MS = 30_000;

interface Variant {
  label: string;
  limit: string;
  host: boolean;
}

const VARIANTS: Variant[] = [
  { label: "in process, RECORDING_LIMIT=0", limit: "0", host: false },
  { label: "in process, 16mb (default)", limit: "16mb", host: false },
  { label: "in process, 1gb (all recorded)", limit: "1gb", host: false },
  { label: "PTY host, RECORDING_LIMIT=0", limit: "0", host: true },
  { label: "PTY host, 16mb (default)", limit: "16mb", host: true },
];

/** Reads of this size feed the ring in the CPU figure (Bun's terminal reads up to 64 KiB). */
const READ_BYTES = 16 * 1024;
const CPU_LIMITS = [0, 16 * 1024 * 1024, 1024 * 1024 * 1024] as const;

export interface RecordingResults {
  /** CPU ms (all threads of this process) to put 100 MiB through a ring, per RECORDING_LIMIT. */
  cpu: { limit: number; ms: number[] }[];
  floor: ThroughputRun[];
  floorEcho: number[][];
  variants: { variant: Variant; runs: ThroughputRun[]; echo: number[][] }[];
}

/**
 * The recorder alone, in this process: 100 MiB appended to a 128 MiB ring in 16 KiB reads, each
 * followed by the recorder's note, the event loop let run every 64 reads (so that its timers
 * fire, as between PTY reads), until its file is closed. CPU of every thread of the process (the
 * writes run on Bun's thread pool), so the figure does not depend on the machine's load.
 */
async function recorderCpuMs(limit: number, dir: string): Promise<number> {
  const ring = new RingBuffer(128 * 1024 * 1024);
  const read = new Uint8Array(READ_BYTES).fill(0x61);
  const id = crypto.randomUUID();
  const store = createRecordingStore(dir);
  const before = process.cpuUsage();
  const recorder = store.open(id, ring, { cols: 80, rows: 24 }, limit);
  for (let sent = 0, reads = 0; sent < OUTPUT_BYTES; sent += READ_BYTES, reads++) {
    ring.append(read);
    recorder?.output(READ_BYTES);
    if (reads % 64 === 63) await new Promise((resolve) => setImmediate(resolve));
  }
  await recorder?.close();
  const used = process.cpuUsage(before);
  store.remove(id);
  return (used.user + used.system) / 1000;
}

async function start(variant: Variant, template: ServerTemplate, cleanup: Cleanup) {
  const server = await startBenchServer(
    {
      backend: "bun",
      template,
      env: {
        SCROLLBACK_BYTES: LARGE_SCROLLBACK,
        IDLE_AFTER: "1s",
        RECORDING_LIMIT: variant.limit,
        PTY_HOST: variant.host ? "auto" : "inprocess",
      },
    },
    cleanup,
  );
  let hostPid: number | undefined;
  if (variant.host) {
    hostPid = Number(readFileSync(join(server.dataDir, "pty-host.lock"), "utf8").trim());
    const pid = hostPid;
    cleanup.add(() => stopProcess(pid, HOST_STOP_GRACE_MS));
  }
  return { server, hostPid };
}

/** Throughput runs with the host's CPU added to the server's. */
async function throughput(server: BenchServer, hostPid: number | undefined) {
  const before = hostPid === undefined ? 0 : cpuMs(hostPid);
  const results = await streamThroughput(server, 1);
  const hostCpu = hostPid === undefined ? 0 : cpuMs(hostPid) - before;
  return results.map((run) => ({ ...run, serverCpuMs: (run.serverCpuMs ?? 0) + hostCpu }));
}

export async function benchRecording(
  template: ServerTemplate,
  home: string,
  cleanup: Cleanup,
  log: (line: string) => void,
): Promise<RecordingResults> {
  const dir = mkdtempSync(join(tmpdir(), "opendray-bench-recorder-"));
  const cpu = CPU_LIMITS.map((limit) => ({ limit, ms: [] as number[] }));
  try {
    log("  recording: the recorder's CPU per 100 MiB…");
    for (let i = 0; i < 5; i++) {
      for (const entry of cpu) entry.ms.push(await recorderCpuMs(entry.limit, dir));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const started = [];
  for (const variant of VARIANTS)
    started.push({ variant, ...(await start(variant, template, cleanup)) });
  const results: RecordingResults = {
    cpu,
    floor: [],
    floorEcho: [],
    variants: started.map(({ variant }) => ({ variant, runs: [], echo: [] })),
  };
  try {
    for (let i = 1; i <= THROUGHPUT_REPETITIONS; i++) {
      log(
        `  recording: throughput ${i}/${THROUGHPUT_REPETITIONS} (floor, ${VARIANTS.length} servers)…`,
      );
      results.floor.push(...(await floorThroughput("bun", 1, home)));
      // Each round starts with another server: none always runs right after the floor.
      for (let k = 0; k < started.length; k++) {
        const index = (i + k) % started.length;
        const { server, hostPid } = started[index] as (typeof started)[number];
        results.variants[index]?.runs.push(...(await throughput(server, hostPid)));
      }
    }
    for (let i = 1; i <= REPETITIONS; i++) {
      log(`  recording: echo ${i}/${REPETITIONS}…`);
      results.floorEcho.push(await floorEcho("bun", home));
      for (let k = 0; k < started.length; k++) {
        const index = (i + k) % started.length;
        const { server } = started[index] as (typeof started)[number];
        results.variants[index]?.echo.push(await streamEcho(server));
      }
    }
  } finally {
    await Promise.all(started.map(({ server }) => server.stop()));
  }
  return results;
}

export function recordingTable(r: RecordingResults): string {
  const floor = median(r.floor.map((run) => run.mbps));
  const offCpu = median(r.cpu.find((entry) => entry.limit === 0)?.ms ?? []);
  const rows: Row[] = [
    ...r.cpu.map(({ limit, ms }): Row => {
      const cost = median(ms);
      return [
        `CPU per 100 MiB through a ring (ms), RECORDING_LIMIT=${limit === 0 ? "0" : `${limit / 1024 / 1024}mb`}`,
        fixed(cost, 0),
        limit === 0 ? "" : `off ${fixed(offCpu, 0)}`,
        "",
        limit === 0 ? "" : `+${fixed(cost - offCpu, 0)} ms`,
        `${runs(ms, 0)}; in the bench process, ${READ_BYTES / 1024} KiB reads, the writes' threads included${limit === 0 ? " (the ring's own copy: the baseline)" : ""}`,
      ];
    }),
    [
      "raw PTY output (MB/s)",
      fixed(floor),
      "",
      "(the floor)",
      "",
      `${runs(r.floor.map((run) => run.mbps))}; ${OUTPUT_BYTES / 1024 / 1024} MiB`,
    ],
  ];
  const baseline = (host: boolean) =>
    r.variants.find(({ variant }) => variant.host === host && variant.limit === "0");
  for (const { variant, runs: list } of r.variants) {
    const mbps = median(list.map((run) => run.mbps));
    const off = baseline(variant.host);
    const offMbps = off ? median(off.runs.map((run) => run.mbps)) : Number.NaN;
    const cpu = fixed(median(list.map((run) => run.serverCpuMs ?? Number.NaN)) / 1000, 2);
    rows.push([
      `WebSocket output, ${variant.label}`,
      fixed(mbps),
      variant.limit === "0" ? `floor ${fixed(floor)}` : `off ${fixed(offMbps)}`,
      "≥ 80 % of floor",
      variant.limit === "0"
        ? percent(mbps, floor)
        : `${percent(mbps, offMbps)} of off, ${percent(mbps, floor)} of floor`,
      `${runs(list.map((run) => run.mbps))}; ${variant.host ? "server + host" : "server"} CPU per run ${cpu} s`,
    ]);
  }
  rows.push([
    "echo p50 (µs), raw PTY",
    fixed(medianOfRounds(r.floorEcho), 0),
    "",
    "",
    "",
    `rounds ${roundMedians(r.floorEcho)}; ${ECHO_KEYS} keys per round`,
  ]);
  for (const { variant, echo } of r.variants) {
    const off = baseline(variant.host);
    rows.push([
      `echo p50 (µs), ${variant.label}`,
      `${fixed(medianOfRounds(echo), 0)} (p99 ${fixed(percentile(echo.flat(), 99), 0)})`,
      variant.limit === "0" || !off ? "" : `off ${fixed(medianOfRounds(off.echo), 0)}`,
      "≤ 100 µs",
      "",
      `rounds ${roundMedians(echo)}`,
    ]);
  }
  return renderTable(FIGURE_HEADER, rows);
}
