// Figure 4: what idle sessions cost the server. RSS (after a forced GC) before and after spawning
// IDLE_SESSIONS sessions of `exec cat`, beside the PTY adapter's own cost, and the server's
// wake-ups (context switches of all its threads) over equal windows with 0 and with
// IDLE_SESSIONS idle sessions.

import { join } from "node:path";
import type { Session } from "../src/protocol/session.ts";
import { FREE_AFTER_MS } from "../src/sessions/screen.ts";
import { grownPerUnit } from "../test/support/heap-census.ts";
import type { BenchHost } from "./host-process.ts";
import { type ContextSwitches, cpuMs, createWakeupCounter, rssKiB } from "./proc.ts";
import type { BenchServer, ServerMemory } from "./server-process.ts";
import { sleep } from "./stats.ts";

export const IDLE_SESSIONS = 100;
export const WINDOW_MS = 10_000;
const SPAWN_BATCH = 10;
const SETTLE_MS = 500;
/** RSS that moved less than this over SETTLE_MS holds still. */
const STEADY_KIB = 64;
const STEADY_MAX_MS = 10_000;
const SAMPLE_MS = 200;

export interface Window {
  wakeups: ContextSwitches;
  cpuMs: number;
  ms: number;
}

export interface IdleResult {
  sessions: number;
  rssBeforeKiB: number;
  rssAfterKiB: number;
  /** Per session once the server has run IDLE_SESSIONS sessions before (steady state). */
  perSessionKiB: number;
  /** How long the IDLE_SESSIONS POST /sessions took (SPAWN_BATCH at a time). */
  spawnMs: number;
  /** Per session for the first IDLE_SESSIONS sessions of a fresh server (database warm-up too). */
  coldPerSessionKiB: number;
  /** JS heap + external memory (ArrayBuffers, …) per session, from the server's own report. */
  jsPerSessionKiB: number;
  /** Growth of the JS heap's blocks per session, and of its live bytes (after a full GC). */
  jsHeapCapacityPerSessionKiB: number;
  jsHeapLivePerSessionKiB: number;
  /**
   * Live JS objects per session by type, the most first: each kind a session keeps can pin a
   * mostly empty heap block per session (the heap is not compacted), so closures, scopes and
   * promises held per session show up here before they show up in RSS.
   */
  objectsPerSession: [type: string, count: number][];
  /** The PTY adapter alone, in a process of its own: the floor of perSessionKiB. */
  adapterPerSessionKiB: number;
  empty: Window;
  loaded: Window;
  /** (loaded − empty) wake-ups of all threads per second per session. */
  wakeupsPerSessionSecond: number;
}

/** Needs a server with a short IDLE_AFTER (1 s) so that sessions are idle before the window. */
export async function idleSessions(server: BenchServer, home: string): Promise<IdleResult> {
  const adapterPerSessionKiB = await adapterFloor(server.backend, home);

  // A first cycle of sessions (spawned, idle, deleted) grows what a server keeps once it has run
  // that many (database pages, allocator arenas, JIT code): measured, but not counted per session.
  await settle(server);
  const rssFreshKiB = rssKiB(server.pid);
  const warmUp: Session[] = [];
  await spawnUpTo(server, warmUp, IDLE_SESSIONS);
  await waitUntilIdle(server, warmUp.length);
  await settle(server);
  const coldPerSessionKiB = (rssKiB(server.pid) - rssFreshKiB) / warmUp.length;
  await deleteAll(server, warmUp);

  // Both memory samples come after a quiet window: JavaScriptCore drops bytecode and JIT code
  // that went unused for several seconds (3 MiB of code blocks here, 7–17 s after a burst of
  // requests), so a sample taken right after a burst still holds code that a later one does
  // not (live bytes per session came out negative). Each sample is taken as long after its burst.
  const empty = await measureWindow(server.pid);
  const jsBefore = await settle(server);
  const rssBeforeKiB = rssKiB(server.pid);

  const sessions: Session[] = [];
  const spawnStart = performance.now();
  await spawnUpTo(server, sessions, IDLE_SESSIONS);
  const spawnMs = performance.now() - spawnStart;
  await waitUntilIdle(server, sessions.length);
  const loaded = await measureWindow(server.pid);
  const jsAfter = await settle(server);
  const rssAfterKiB = rssKiB(server.pid);
  await deleteAll(server, sessions);

  return {
    sessions: sessions.length,
    rssBeforeKiB,
    rssAfterKiB,
    perSessionKiB: (rssAfterKiB - rssBeforeKiB) / sessions.length,
    spawnMs,
    coldPerSessionKiB,
    jsPerSessionKiB: (jsBytes(jsAfter) - jsBytes(jsBefore)) / 1024 / sessions.length,
    jsHeapCapacityPerSessionKiB:
      (jsAfter.heapCapacity - jsBefore.heapCapacity) / 1024 / sessions.length,
    jsHeapLivePerSessionKiB: (jsAfter.heapSize - jsBefore.heapSize) / 1024 / sessions.length,
    objectsPerSession: grownPerUnit(jsBefore, jsAfter, sessions.length),
    adapterPerSessionKiB,
    empty,
    loaded,
    wakeupsPerSessionSecond: (perSecond(loaded) - perSecond(empty)) / sessions.length,
  };
}

export interface HostedIdleResult {
  sessions: number;
  /** RSS growth per session of the server and of its PTY host, each after a forced GC. */
  serverPerSessionKiB: number;
  hostPerSessionKiB: number;
  /** (loaded − empty) wake-ups per second per session, of the server and of the host. */
  serverWakeupsPerSessionSecond: number;
  hostWakeupsPerSessionSecond: number;
}

/**
 * Figure 4 with PTY_HOST=auto: the sessions' memory is split between the server (database,
 * mirror rings, viewers) and the host (PTYs, rings, journals), so both are counted, each after a
 * forced GC. Needs IDLE_AFTER 1 s, like idleSessions.
 */
export async function hostedIdleSessions(
  server: BenchServer,
  host: BenchHost,
): Promise<HostedIdleResult> {
  const warmUp: Session[] = [];
  await spawnUpTo(server, warmUp, IDLE_SESSIONS);
  await waitUntilIdle(server, warmUp.length);
  await deleteAll(server, warmUp);

  // As in idleSessions: each memory sample after a quiet window.
  const [serverEmpty, hostEmpty] = await Promise.all([
    measureWindow(server.pid),
    measureWindow(host.pid),
  ]);
  const before = await settleRss(server, host);
  const sessions: Session[] = [];
  await spawnUpTo(server, sessions, IDLE_SESSIONS);
  await waitUntilIdle(server, sessions.length);
  const [serverLoaded, hostLoaded] = await Promise.all([
    measureWindow(server.pid),
    measureWindow(host.pid),
  ]);
  const after = await settleRss(server, host);
  await deleteAll(server, sessions);

  const count = sessions.length;
  const wakeups = (empty: Window, loaded: Window) => (perSecond(loaded) - perSecond(empty)) / count;
  return {
    sessions: count,
    serverPerSessionKiB: (after.server - before.server) / count,
    hostPerSessionKiB: (after.host - before.host) / count,
    serverWakeupsPerSessionSecond: wakeups(serverEmpty, serverLoaded),
    hostWakeupsPerSessionSecond: wakeups(hostEmpty, hostLoaded),
  };
}

/**
 * Sessions of the full-scrollback figure, and what each prints: 3.3 MB of random bytes in
 * base64, 100 columns a line, 4 488 000 bytes through the PTY (\n becomes \r\n): more than the
 * default 4 MiB scrollback, which it fills.
 */
export const FULL_SESSIONS = 20;
const FULL_SCRIPT = "head -c 3300000 /dev/urandom | base64 -w 100; exec cat";
const FULL_OUTPUT_BYTES = 4_488_000;

export interface FullScrollbackResult {
  sessions: number;
  /** RSS growth per session, after a forced GC, of the server and of its PTY host (0 without). */
  serverPerSessionMiB: number;
  hostPerSessionMiB: number;
}

/**
 * Memory of FULL_SESSIONS idle sessions whose default scrollback is full, on a server with
 * PTY_HOST=inprocess, or with PTY_HOST=auto and `host` (both are counted): how much of a
 * session's memory is its scrollback, and whether it is held once or twice.
 */
export async function fullScrollbackSessions(
  server: BenchServer,
  host?: BenchHost,
): Promise<FullScrollbackResult> {
  const before = await settleRss(server, host);
  const sessions: Session[] = [];
  await spawnUpTo(server, sessions, FULL_SESSIONS, FULL_SCRIPT);
  await waitUntilIdle(server, sessions.length, FULL_OUTPUT_BYTES);
  // Quiet sessions as they stay: their terminal emulators serialized and dropped (and, through
  // the host, the server's copies of unwatched output gone after MIRROR_GRACE).
  await sleep(FREE_AFTER_MS + 1000);
  const after = await settleRss(server, host);
  await deleteAll(server, sessions);
  const count = sessions.length;
  return {
    sessions: count,
    serverPerSessionMiB: (after.server - before.server) / 1024 / count,
    hostPerSessionMiB: (after.host - before.host) / 1024 / count,
  };
}

const perSecond = (window: Window) => (window.wakeups.allThreads * 1000) / window.ms;

async function adapterFloor(backend: string, home: string): Promise<number> {
  const child = Bun.spawn(
    [process.execPath, join(import.meta.dir, "pty-memory.ts"), backend, home],
    {
      stdout: "pipe",
      stderr: "pipe",
    },
  );
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const [out, err, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  clearTimeout(timer);
  if (code !== 0) throw new Error(`pty-memory ${backend} failed (${code}): ${err.trim()}`);
  return (JSON.parse(out) as { perSessionKiB: number }).perSessionKiB;
}

/**
 * RSS (KiB) of the server and of its PTY host (0 without one), each after a forced GC, once
 * both hold still.
 */
async function settleRss(
  server: BenchServer,
  host?: BenchHost,
): Promise<{ server: number; host: number }> {
  await Promise.all([server.settle(), host?.settle()]);
  await steadyRss(host ? [server.pid, host.pid] : [server.pid]);
  return { server: rssKiB(server.pid), host: host ? rssKiB(host.pid) : 0 };
}

async function settle(server: BenchServer): Promise<ServerMemory> {
  const memory = await server.settle();
  await steadyRss([server.pid]);
  return memory;
}

/**
 * Waits until the RSS of every pid holds still: the allocators give freed pages back to the
 * kernel on background threads, for a while after a GC. A fixed wait of 500 ms sometimes ended
 * before they had (a hundred sessions then measured −35 KiB each on a busy machine).
 */
async function steadyRss(pids: number[]): Promise<void> {
  const deadline = performance.now() + STEADY_MAX_MS;
  let last = pids.map(rssKiB);
  await sleep(SETTLE_MS);
  while (performance.now() < deadline) {
    const now = pids.map(rssKiB);
    if (now.every((kiB, index) => Math.abs(kiB - (last[index] ?? 0)) <= STEADY_KIB)) return;
    last = now;
    await sleep(SETTLE_MS);
  }
}

const jsBytes = (memory: ServerMemory) => memory.heapUsed + memory.external;

async function measureWindow(pid: number): Promise<Window> {
  const counter = createWakeupCounter(pid);
  const cpuBefore = cpuMs(pid);
  const start = performance.now();
  const sampler = setInterval(counter.sample, SAMPLE_MS);
  await sleep(WINDOW_MS);
  clearInterval(sampler);
  return { wakeups: counter.total(), cpuMs: cpuMs(pid) - cpuBefore, ms: performance.now() - start };
}

async function spawnUpTo(
  server: BenchServer,
  sessions: Session[],
  count: number,
  script = "exec cat",
): Promise<void> {
  while (sessions.length < count) {
    const batch = Math.min(SPAWN_BATCH, count - sessions.length);
    sessions.push(
      ...(await Promise.all(Array.from({ length: batch }, () => server.spawnShell(script)))),
    );
  }
}

/** Waits until `count` sessions are idle, each having printed at least `outputBytes`. */
async function waitUntilIdle(server: BenchServer, count: number, outputBytes = 0): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const response = await server.request("GET", "/sessions?state=idle");
    const idle = ((response.body as { sessions?: Session[] } | undefined)?.sessions ?? []).filter(
      (session) => session.outputOffset >= outputBytes,
    ).length;
    if (idle >= count) return;
    if (Date.now() > deadline) throw new Error(`only ${idle} of ${count} sessions became idle`);
    await sleep(250);
  }
}

async function deleteAll(server: BenchServer, sessions: readonly Session[]): Promise<void> {
  for (let i = 0; i < sessions.length; i += SPAWN_BATCH) {
    await Promise.all(
      sessions
        .slice(i, i + SPAWN_BATCH)
        .map((session) => server.request("DELETE", `/sessions/${session.id}`)),
    );
  }
}
