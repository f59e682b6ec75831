// Throughput and echo through the PTY host (PTY_HOST=auto: PTY → host → unix socket → server →
// WebSocket) beside the same figures with the PTYs inside the server and the raw PTY floor, all
// in one run, alternating so that each sees the same machine load.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LARGE_SCROLLBACK, LARGE_SCROLLBACK_BYTES } from "./backend.ts";
import type { Cleanup } from "./cleanup.ts";
import { stopProcess } from "./cleanup.ts";
import { floorEcho, floorThroughput } from "./floor.ts";
import { startBenchHost } from "./host-process.ts";
import {
  FULL_SESSIONS,
  type FullScrollbackResult,
  fullScrollbackSessions,
  type HostedIdleResult,
  hostedIdleSessions,
} from "./idle.ts";
import { ECHO_KEYS, OUTPUT_BYTES, type ThroughputRun } from "./measure.ts";
import { cpuMs } from "./proc.ts";
import { type ServerTemplate, startBenchServer } from "./server-process.ts";
import {
  fixed,
  MiB,
  median,
  medianOfRounds,
  percent,
  percentile,
  roundMedians,
  runs,
} from "./stats.ts";
import { type FallBehindRun, streamEcho, streamFallBehind, streamThroughput } from "./stream.ts";
import { FIGURE_HEADER, type Row, renderTable, verdict } from "./table.ts";

const REPETITIONS = 3;
const HOST_STOP_GRACE_MS = 30_000;
/** Large enough that the viewer is never closed 4008 during a run (as in figure 2). */
const SCROLLBACK = LARGE_SCROLLBACK;

export interface HostResults {
  floor: ThroughputRun[];
  inprocess: ThroughputRun[];
  host: ThroughputRun[];
  /** Through the host once the session has filled its 128mb scrollback (no fresh memory). */
  hostFull: ThroughputRun[];
  /** Through a host with the default scrollback: viewers may fall behind it (4008). */
  hostDefault: FallBehindRun[];
  /** Echo round trips (µs), one array per round; the three kinds of round alternate. */
  floorEcho: number[][];
  inprocessEcho: number[][];
  hostEcho: number[][];
  /** 100 idle sessions through the host (default scrollback), or why they were not measured. */
  idle?: HostedIdleResult;
  idleError?: string;
  /** Sessions with a full default scrollback, in process and through the host, or why not. */
  full?: { inprocess: FullScrollbackResult; host: FullScrollbackResult };
  fullError?: string;
}

/** A server with PTY_HOST=auto and the pid of the host it started, stopped before its DATA_DIR goes. */
async function hostedServer(
  template: ServerTemplate,
  env: Record<string, string>,
  cleanup: Cleanup,
) {
  const server = await startBenchServer(
    { backend: "bun", template, env: { ...env, PTY_HOST: "auto" } },
    cleanup,
  );
  const hostPid = Number(readFileSync(join(server.dataDir, "pty-host.lock"), "utf8").trim());
  // Registered after the server, so it runs first: the host goes before its DATA_DIR does.
  // It writes its scrollback files as it shuts down: wait for it, or it recreates the folder.
  cleanup.add(() => stopProcess(hostPid, HOST_STOP_GRACE_MS));
  return { server, hostPid };
}

async function servers(template: ServerTemplate, cleanup: Cleanup) {
  const env = { SCROLLBACK_BYTES: SCROLLBACK, IDLE_AFTER: "1s" };
  const inprocess = await startBenchServer({ backend: "bun", template, env }, cleanup);
  const { server: hosted, hostPid } = await hostedServer(template, env, cleanup);
  // This one's host is started by the bench, so that its memory can be settled too.
  const dataDir = mkdtempSync(join(tmpdir(), "opendray-bench-"));
  cleanup.add(() => rmSync(dataDir, { recursive: true, force: true }));
  const defaultHost = await startBenchHost(dataDir, cleanup);
  const hostedDefault = await startBenchServer(
    {
      backend: "bun",
      template,
      dataDir,
      // Unwatched sessions' output copies go after 1 s: the full-scrollback figure is then the
      // steady state of sessions nobody watches (60 s later with the default).
      env: { IDLE_AFTER: "1s", PTY_HOST: "auto", MIRROR_GRACE: "1s" },
    },
    cleanup,
  );
  return { inprocess, hosted, hostPid, hostedDefault, defaultHost };
}

/** The server's CPU plus its host's, for the host runs. */
async function withHostCpu(
  hostPid: number,
  run: () => Promise<ThroughputRun[]>,
): Promise<ThroughputRun[]> {
  const before = cpuMs(hostPid);
  const results = await run();
  const hostCpu = (cpuMs(hostPid) - before) / results.length;
  return results.map((result) => ({
    ...result,
    serverCpuMs: (result.serverCpuMs ?? 0) + hostCpu,
  }));
}

export async function benchHost(
  template: ServerTemplate,
  home: string,
  cleanup: Cleanup,
  log: (line: string) => void,
): Promise<HostResults> {
  const { inprocess, hosted, hostPid, hostedDefault, defaultHost } = await servers(
    template,
    cleanup,
  );
  const results: HostResults = {
    floor: [],
    inprocess: [],
    host: [],
    hostFull: [],
    hostDefault: [],
    floorEcho: [],
    inprocessEcho: [],
    hostEcho: [],
  };
  try {
    for (let i = 1; i <= REPETITIONS; i++) {
      log(`  host: throughput ${i}/${REPETITIONS} (floor, in-process, through the host ×3)…`);
      results.floor.push(...(await floorThroughput("bun", 1, home)));
      results.inprocess.push(...(await streamThroughput(inprocess, 1)));
      results.host.push(...(await withHostCpu(hostPid, () => streamThroughput(hosted, 1))));
      results.hostFull.push(...(await streamThroughput(hosted, 1, LARGE_SCROLLBACK_BYTES)));
      results.hostDefault.push(...(await streamFallBehind(hostedDefault, 1)));
    }
    for (let i = 1; i <= REPETITIONS; i++) {
      log(`  host: echo ${i}/${REPETITIONS} (floor, in-process, through the host)…`);
      results.floorEcho.push(await floorEcho("bun", home));
      results.inprocessEcho.push(await streamEcho(inprocess));
      results.hostEcho.push(await streamEcho(hosted));
    }
    log("  host: 100 idle sessions (server and host)…");
    try {
      results.idle = await hostedIdleSessions(hostedDefault, defaultHost);
    } catch (error) {
      // The figures above stand without this one; the table says it is missing.
      results.idleError = String(error);
    }
    log(`  host: ${FULL_SESSIONS} sessions with a full scrollback (in process, through the host)…`);
    try {
      const small = await startBenchServer(
        { backend: "bun", template, env: { IDLE_AFTER: "1s" } },
        cleanup,
      );
      try {
        results.full = {
          inprocess: await fullScrollbackSessions(small),
          host: await fullScrollbackSessions(hostedDefault, defaultHost),
        };
      } finally {
        await small.stop();
      }
    } catch (error) {
      results.fullError = String(error);
    }
  } finally {
    await Promise.all([hosted.stop(), inprocess.stop(), hostedDefault.stop()]);
  }
  return results;
}

export function hostTable(r: HostResults): string {
  const floor = median(r.floor.map((run) => run.mbps));
  const inprocess = median(r.inprocess.map((run) => run.mbps));
  const host = median(r.host.map((run) => run.mbps));
  const cpu = (list: ThroughputRun[]) =>
    `${fixed(median(list.map((run) => run.serverCpuMs ?? Number.NaN)) / 1000, 2)} s`;
  const echo = (rounds: number[][]) =>
    `${fixed(medianOfRounds(rounds), 0)} (p99 ${fixed(percentile(rounds.flat(), 99), 0)})`;
  const hostP50 = medianOfRounds(r.hostEcho);
  const hostFull = median(r.hostFull.map((run) => run.mbps));
  const hostDefaultDone = r.hostDefault.filter((run) => run.closeCode === 1000);
  const hostDefaultMbps = median(hostDefaultDone.map((run) => run.mbps));
  const rows: Row[] = [
    [
      "raw PTY output (MB/s)",
      fixed(floor),
      "",
      "(the floor)",
      "",
      `${runs(r.floor.map((run) => run.mbps))}; ${OUTPUT_BYTES / MiB} MiB`,
    ],
    [
      "WebSocket output, PTY_HOST=inprocess",
      fixed(inprocess),
      `floor ${fixed(floor)}`,
      "≥ 80 % of floor",
      percent(inprocess, floor),
      `${runs(r.inprocess.map((run) => run.mbps))}; server CPU per run ${cpu(r.inprocess)}`,
    ],
    [
      "WebSocket output, PTY_HOST=auto",
      fixed(host),
      `floor ${fixed(floor)}`,
      "≥ 80 % of floor",
      `${percent(host, floor)} ${verdict(host >= 0.8 * floor)}`,
      `${runs(r.host.map((run) => run.mbps))}; ${percent(host, inprocess)} of in-process; server + host CPU per run ${cpu(r.host)}; every byte arrived: ${r.host.every((run) => run.bytes === OUTPUT_BYTES)}`,
    ],
    [
      "the same, scrollback already full",
      fixed(hostFull),
      `floor ${fixed(floor)}`,
      "≥ 80 % of floor",
      `${percent(hostFull, floor)} ${verdict(hostFull >= 0.8 * floor)}`,
      `${runs(r.hostFull.map((run) => run.mbps))}; the session first wrote ${SCROLLBACK} (untimed): neither the host's ring nor the server's copy grows into fresh memory`,
    ],
    [
      "PTY_HOST=auto, default 4mb",
      hostDefaultDone.length > 0 ? fixed(hostDefaultMbps) : "n/a",
      `floor ${fixed(floor)}`,
      "(reported)",
      `${percent(hostDefaultMbps, floor)}, 4008 in ${r.hostDefault.length - hostDefaultDone.length}/${r.hostDefault.length}`,
      `${r.hostDefault
        .map((run) =>
          run.closeCode === 1000
            ? `${fixed(run.mbps)} (${fixed(run.bytes / MiB)} MiB, ${run.resyncs} resyncs)`
            : `${run.closeCode} after ${fixed(run.bytes / MiB)} MiB`,
        )
        .join(
          " / ",
        )}; the host reads the PTY at full speed, so a viewer slower than the program falls a whole scrollback behind sooner than in-process, where the server's own work paces the reads; each time it resyncs from a snapshot and the output in between is skipped (MB/s counts what it was sent)`,
    ],
    [
      "echo p50 (µs), raw PTY",
      echo(r.floorEcho),
      "",
      "",
      "",
      `rounds ${roundMedians(r.floorEcho)}; median of the rounds' p50, ${ECHO_KEYS} keys per round, p99 of all keys`,
    ],
    [
      "echo p50 (µs), PTY_HOST=inprocess",
      echo(r.inprocessEcho),
      "",
      "≤ 100 µs",
      "",
      `rounds ${roundMedians(r.inprocessEcho)}`,
    ],
    [
      "echo p50 (µs), PTY_HOST=auto",
      echo(r.hostEcho),
      `in-process ${fixed(medianOfRounds(r.inprocessEcho), 0)}`,
      "≤ 100 µs",
      verdict(hostP50 <= 100),
      `rounds ${roundMedians(r.hostEcho)}; one more hop: server ⇄ host over the unix socket`,
    ],
  ];
  const idle = r.idle;
  if (idle) {
    const perSession = idle.serverPerSessionKiB + idle.hostPerSessionKiB;
    rows.push(
      [
        "RSS per idle session (KiB), PTY_HOST=auto",
        fixed(perSession, 0),
        "",
        "≤ 64 KiB",
        verdict(perSession <= 64),
        `server ${fixed(idle.serverPerSessionKiB, 0)} + host ${fixed(idle.hostPerSessionKiB, 0)} (each after a forced GC), ${idle.sessions} sessions of \`exec cat\` on PGlite, after ${idle.sessions} spawned and deleted`,
      ],
      [
        "  wake-ups per idle session (1/s)",
        fixed(idle.serverWakeupsPerSessionSecond + idle.hostWakeupsPerSessionSecond, 2),
        "",
        "no timer wake-ups",
        verdict(idle.serverWakeupsPerSessionSecond + idle.hostWakeupsPerSessionSecond < 0.1),
        `(within ±0.1 is noise) server ${fixed(idle.serverWakeupsPerSessionSecond, 2)} + host ${fixed(idle.hostWakeupsPerSessionSecond, 2)}, all threads, loaded minus empty`,
      ],
    );
  }
  if (r.idleError) {
    rows.push(["RSS per idle session, PTY_HOST=auto", "n/a", "", "≤ 64 KiB", "", r.idleError]);
  }
  const full = r.full;
  if (full) {
    const hosted = full.host.serverPerSessionMiB + full.host.hostPerSessionMiB;
    rows.push(
      [
        "RSS per session, full 4mb scrollback (MiB)",
        fixed(full.inprocess.serverPerSessionMiB, 2),
        "",
        "(reported)",
        "",
        `PTY_HOST=inprocess; ${full.inprocess.sessions} idle sessions that each printed 4.5 MB (base64 of random bytes), each sample after a forced GC`,
      ],
      [
        "  the same, PTY_HOST=auto (MiB)",
        fixed(hosted, 2),
        `in-process ${fixed(full.inprocess.serverPerSessionMiB, 2)}`,
        "(reported)",
        "",
        `server ${fixed(full.host.serverPerSessionMiB, 2)} + host ${fixed(full.host.hostPerSessionMiB, 2)}: the host holds the ring; the server's copy of it went MIRROR_GRACE (1 s here) after the last viewer left`,
      ],
    );
  }
  if (r.fullError) {
    rows.push(["RSS per session, full scrollback", "n/a", "", "(reported)", "", r.fullError]);
  }
  return renderTable(FIGURE_HEADER, rows);
}
