// Turns measurements into the printed tables: each figure beside its baseline from the same run
// (the raw PTY floor, or viewer B alone) and its target from DESIGN §9, with a verdict that is
// printed, never asserted.

import { cpus } from "node:os";
import type { BackendResults } from "./backend.ts";
import { type DeflateResult, medianOf } from "./deflate.ts";
import { IDLE_SESSIONS, WINDOW_MS } from "./idle.ts";
import { ECHO_KEYS, OUTPUT_BYTES, type ThroughputRun } from "./measure.ts";
import { STALL_SECONDS, type ViewerRun } from "./stalled.ts";
import {
  fixed,
  KiB,
  MB,
  MiB,
  median,
  medianOfRounds,
  percent,
  percentile,
  roundMedians,
  runs,
} from "./stats.ts";
import { FIGURE_HEADER, type Row, renderTable, verdict } from "./table.ts";

/** Median CPU time in seconds, e.g. "1.23 s". */
const seconds = (values: number[]) => `${fixed(median(values) / 1000, 2)} s`;
/** Median machine load during the runs, e.g. "190 % of 200 %". */
const busy = (list: readonly ThroughputRun[]) =>
  `${fixed(median(list.map((run) => run.machineBusyPercent)), 0)} % of ${cpus().length * 100} % busy`;

export function backendTable(r: BackendResults, largeScrollback: string): string {
  const rows: Row[] = [];
  const floorMbps = median(r.floor.map((run) => run.mbps));
  if (r.floor.length > 0)
    rows.push([
      "1 raw PTY output (MB/s)",
      fixed(floorMbps),
      "",
      "(the floor)",
      "",
      `${runs(r.floor.map((run) => run.mbps))}; ${OUTPUT_BYTES / MiB} MiB of /dev/zero read from the adapter in the bench process; CPU per run: reader ${seconds(r.floor.map((run) => run.readerCpuMs))}, machine ${busy(r.floor)}`,
    ]);

  const streamMbps = median(r.stream.map((run) => run.mbps));
  const complete = r.stream.every((run) => run.bytes === OUTPUT_BYTES);
  if (r.stream.length > 0)
    rows.push([
      "2 WebSocket output (MB/s)",
      fixed(streamMbps),
      `floor ${fixed(floorMbps)}`,
      "≥ 80 % of floor",
      `${percent(streamMbps, floorMbps)} ${verdict(streamMbps >= 0.8 * floorMbps)}`,
      `${runs(r.stream.map((run) => run.mbps))}; a new session, SCROLLBACK_BYTES=${largeScrollback} so that the viewer is never closed 4008 (its ring grows into fresh memory during the run); DESIGN §9 anchor on this machine: ttyd 60–65 MB/s; ${complete ? "every byte arrived" : "BYTES MISSING"}; CPU per run: server ${seconds(r.stream.map((run) => run.serverCpuMs ?? Number.NaN))}, viewer ${seconds(r.stream.map((run) => run.readerCpuMs))}, machine ${busy(r.stream)}`,
    ]);

  const fullMbps = median(r.streamFull.map((run) => run.mbps));
  if (r.streamFull.length > 0)
    rows.push([
      "2a same, scrollback already full",
      fixed(fullMbps),
      `floor ${fixed(floorMbps)}`,
      "≥ 80 % of floor",
      `${percent(fullMbps, floorMbps)} ${verdict(fullMbps >= 0.8 * floorMbps)}`,
      `${runs(r.streamFull.map((run) => run.mbps))}; the session first wrote ${largeScrollback} (untimed), so the ring no longer grows into fresh memory, as in a long-lived session; CPU per run: server ${seconds(r.streamFull.map((run) => run.serverCpuMs ?? Number.NaN))}`,
    ]);

  if (r.fallBehind) {
    const closed = r.fallBehind.filter((run) => run.closeCode === 4008);
    const done = r.fallBehind.filter((run) => run.closeCode === 1000);
    const doneMbps = median(done.map((run) => run.mbps));
    rows.push([
      "2b same, default 4mb (MB/s)",
      done.length > 0 ? fixed(doneMbps) : "n/a",
      `floor ${fixed(floorMbps)}`,
      "(reported)",
      `${percent(doneMbps, floorMbps)}, 4008 in ${closed.length}/${r.fallBehind.length}`,
      `${r.fallBehind
        .map((run) =>
          run.closeCode === 4008
            ? `4008 after ${fixed(run.bytes / MB)} MB`
            : `${fixed(run.mbps)} (close ${run.closeCode}, ${fixed(run.bytes / MB)} MB, ${run.resyncs} resyncs)`,
        )
        .join(
          " / ",
        )}; median of the runs that were not closed; a resync skips the output the viewer could not keep up with (MB/s counts what it was sent); server CPU per run ${seconds(done.map((run) => run.serverCpuMs))}`,
    ]);
  }

  if (r.streamEcho.length > 0 && r.floorEcho.length > 0) {
    const p50 = medianOfRounds(r.streamEcho);
    const floorKeys = r.floorEcho.flat();
    const streamKeys = r.streamEcho.flat();
    rows.push([
      "3 keystroke echo p50 (µs)",
      fixed(p50, 0),
      `floor ${fixed(medianOfRounds(r.floorEcho), 0)}`,
      "≤ 100 µs",
      verdict(p50 <= 100),
      `median of ${r.streamEcho.length} rounds' p50: ${roundMedians(r.streamEcho)} (floor ${roundMedians(r.floorEcho)}), rounds alternating; ${ECHO_KEYS} keys per round, each after the previous echo; \`stty raw -echo; exec cat\`${r.backend === "bun-pty" ? "; bun-pty's output is polled (timer from 1 ms), which sets its floor" : ""}`,
    ]);
    rows.push([
      "  keystroke echo p99 (µs)",
      fixed(percentile(streamKeys, 99), 0),
      `floor ${fixed(percentile(floorKeys, 99), 0)}`,
      "",
      "",
      `all rounds' keys; max ${fixed(Math.max(...streamKeys), 0)} µs (floor max ${fixed(Math.max(...floorKeys), 0)})`,
    ]);
  }

  if (r.idle) {
    const i = r.idle;
    rows.push([
      "4 server RSS per idle session (KiB)",
      fixed(i.perSessionKiB, 0),
      `adapter ${fixed(i.adapterPerSessionKiB, 0)}`,
      "≤ 64 KiB",
      verdict(i.perSessionKiB <= 64),
      `RSS ${fixed(i.rssBeforeKiB / KiB)} → ${fixed(i.rssAfterKiB / KiB)} MiB for ${i.sessions} sessions of \`exec cat\` (forced GC first), on a server that had run ${i.sessions} sessions before (spawning them took ${fixed(i.spawnMs / 1000)} s); JS heap + external: ${fixed(i.jsPerSessionKiB, 0)} KiB each; JS heap blocks held: ${fixed(i.jsHeapCapacityPerSessionKiB, 0)} KiB each for ${fixed(i.jsHeapLivePerSessionKiB, 0)} KiB of live objects (${i.objectsPerSession.map(([type, count]) => `${fixed(count, 1)} ${type}`).join(", ")}); the first ${i.sessions} on the fresh server: ${fixed(i.coldPerSessionKiB, 0)} KiB each (database and allocator warm-up included); baseline = the PTY adapter alone in a fresh process (the server can come out below it: it reuses native memory its earlier sessions freed); cat processes not counted`,
    ]);
    const rate = (count: number, ms: number) => (count * 1000) / ms;
    rows.push([
      "  wake-ups per idle session (1/s)",
      fixed(i.wakeupsPerSessionSecond, 2),
      `${fixed(rate(i.empty.wakeups.allThreads, i.empty.ms))}/s at 0`,
      "no timer wake-ups",
      verdict(i.wakeupsPerSessionSecond < 0.1),
      `(within ±0.1 is noise) server context switches (all threads) over ${WINDOW_MS / 1000} s: ${fixed(rate(i.empty.wakeups.allThreads, i.empty.ms))}/s with 0 sessions, ${fixed(rate(i.loaded.wakeups.allThreads, i.loaded.ms))}/s with ${IDLE_SESSIONS} idle (main thread ${fixed(rate(i.empty.wakeups.mainThread, i.empty.ms))} → ${fixed(rate(i.loaded.wakeups.mainThread, i.loaded.ms))}/s); server CPU ${fixed(rate(i.empty.cpuMs, i.empty.ms), 0)} → ${fixed(rate(i.loaded.cpuMs, i.loaded.ms), 0)} ms/s${r.backend === "bun-pty" ? "; bun-pty is read by polling (1–8 ms timer per session) by design" : ""}`,
    ]);
  }

  if (r.idlePostgres) {
    const i = r.idlePostgres;
    rows.push([
      "  the same on PostgreSQL (KiB)",
      fixed(i.perSessionKiB, 0),
      r.idle ? `PGlite ${fixed(r.idle.perSessionKiB, 0)}` : "",
      "≤ 64 KiB",
      verdict(i.perSessionKiB <= 64),
      `DATABASE_URL set: the database lives in its own server, so what remains is the sessions' own cost; RSS ${fixed(i.rssBeforeKiB / KiB)} → ${fixed(i.rssAfterKiB / KiB)} MiB; first ${i.sessions} on the fresh server: ${fixed(i.coldPerSessionKiB, 0)} KiB each. With embedded PGlite (the row above) its page cache and WASM heap, which grow with the rows written, count as server memory`,
    ]);
  }

  if (r.stalled) {
    const { alone, beside } = r.stalled;
    const aloneMbps = median(alone.map((run) => run.mbps));
    const besideMbps = median(beside.map((run) => run.mbps));
    rows.push([
      "5 viewer B beside stalled A (MB/s)",
      fixed(besideMbps),
      `B alone ${fixed(aloneMbps)}`,
      "B not slowed",
      `${percent(besideMbps, aloneMbps)} ${verdict(besideMbps >= 0.9 * aloneMbps)}`,
      `${runs(beside.map((run) => run.mbps))} (alone ${runs(alone.map((run) => run.mbps))}); \`yes\` for ${STALL_SECONDS} s, default scrollback, runs alternate; A completes the handshake and never reads; "meets" = within 10 %`,
    ]);
    const growth = (run: ViewerRun) => (run.rssMaxKiB - run.rssBeforeKiB) / KiB;
    rows.push([
      "  server RSS growth, max (MiB)",
      fixed(Math.max(...beside.map(growth))),
      `B alone ${fixed(Math.max(...alone.map(growth)))}`,
      "bounded",
      "",
      `sampled every 500 ms; per run ${runs(beside.map(growth))} (alone ${runs(alone.map(growth))})`,
    ]);
    const outcomes = beside.map((run) =>
      run.stalled?.closeCode !== undefined
        ? String(run.stalled.closeCode)
        : run.stalled?.ended
          ? "no close frame"
          : "still open",
    );
    const with4008 = outcomes.filter((outcome) => outcome === "4008").length;
    rows.push([
      "  stalled A closed with 4008",
      `${with4008}/${beside.length}`,
      "",
      "4008",
      verdict(with4008 === beside.length),
      `per run: ${outcomes.join(" / ")}; A had been sent ${runs(beside.map((run) => (run.stalled?.bytes ?? 0) / MB))} MB; read ${STALL_SECONDS} s after it stalled (“no close frame”: the TCP connection ended without one, a browser would see 1006)`,
    ]);
    const all = [...alone, ...beside];
    const lossless = all.filter((run) => run.bytes === run.outputOffset && run.closeCode === 1000);
    rows.push([
      "  B's bytes = outputOffset",
      `${lossless.length}/${all.length}`,
      "",
      "nothing dropped",
      verdict(lossless.length === all.length),
      `runs where B received exactly the session's outputOffset (GET /sessions/:id) and then close 1000; B beside A received ${runs(beside.map((run) => run.bytes / MB))} MB`,
    ]);
  }

  for (const failure of r.failures) {
    rows.push(["  not measured", "", "", "", "", `${failure.section}: ${failure.message}`]);
  }
  return renderTable(FIGURE_HEADER, rows);
}

export function deflateTable(results: readonly DeflateResult[], corpusBytes: number): string {
  const header: Row = ["compressor", "frame", "MB/s", "vs off", "wire ratio", "runs and notes"];
  const off = (frameBytes: number) =>
    results.find((result) => result.mode === "off" && result.frameBytes === frameBytes);
  const rows = results.map((result): Row => {
    const baseline = off(result.frameBytes);
    return [
      result.mode,
      `${result.frameBytes / KiB} KiB`,
      fixed(medianOf(result)),
      baseline ? percent(medianOf(result), medianOf(baseline)) : "",
      `${fixed(result.ratio, 2)}×`,
      `${runs(result.mbps)}; ${result.extensions || "no extension"}`,
    ];
  });
  return `${renderTable(header, rows)}\n(${fixed(corpusBytes / MiB, 0)} MiB of coloured \`ls -lR /usr\` with CRLF line ends; MB/s of uncompressed payload at the receiver; wire ratio = payload / bytes on the wire)`;
}
