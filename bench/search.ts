// Search over sessions' output (issue 20): `bun bench/search.ts [MB] [--no-stream]` (default
// 64 MB; --no-stream skips part 2).
//
// 1. Indexing in process, on PGlite and on PostgreSQL: the real indexer (src/search/indexer.ts)
//    reads MB of coloured, unique log lines from 32 finished sessions (a stand-in manager serves
//    them, as a finished session's scrollback would be) with no rate limit; figures: raw output
//    indexed per second, database bytes per MB of output, then search latency (p50/p99) of a
//    set of queries over all of it.
// 2. The PTY is never slowed: a real server process, one WebSocket viewer counting 64 MiB of
//    the same text from `cat`, with indexing off (SEARCH_INDEX_LIMIT=0), at the default rate
//    (1mb/s) and unbounded (SEARCH_INDEX_RATE=1gb), runs alternating; the raw PTY floor (the
//    same file read straight from the adapter) in the same run.
// Tables on stdout, progress on stderr.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { type Database, openDatabase } from "../src/db/client.ts";
import { migrateDatabase } from "../src/db/migrate.ts";
import { createOutputTextRepo } from "../src/db/output-text-repo.ts";
import { sessions as sessionsTable } from "../src/db/schema.ts";
import { MATCH_END, MATCH_START } from "../src/protocol/search.ts";
import type { Session } from "../src/protocol/session.ts";
import { createSearchIndexer } from "../src/search/indexer.ts";
import { createCleanup } from "./cleanup.ts";
import { measureThroughput, type ThroughputRun } from "./measure.ts";
import { throwawayDatabase } from "./postgres.ts";
import { READY } from "./ready-marker.ts";
import { prepareTemplate, startBenchServer } from "./server-process.ts";
import { MiB, median, percentile, runs } from "./stats.ts";
import { openSession } from "./stream.ts";
import { renderTable } from "./table.ts";
import { spawnPtyTerminal } from "./terminal.ts";

const SESSIONS = 32;
const QUERY_REPETITIONS = 50;
const STREAM_BYTES = 64 * MiB;
const STREAM_RUNS = 3;

const startedMs = performance.now();
const log = (line: string) =>
  process.stderr.write(
    `[${((performance.now() - startedMs) / 1000).toFixed(0).padStart(3)} s] ${line}\n`,
  );
const print = (text = "") => process.stdout.write(`${text}\n`);

/**
 * `bytes` of coloured `ls -lR /usr` lines, each numbered (so no two lines are the same), ending
 * in `lineEnd` (\r\n as a PTY delivers them).
 */
async function corpus(bytes: number, lineEnd = "\r\n"): Promise<Uint8Array> {
  const child = Bun.spawn(["ls", "-lR", "--color=always", "/usr"], {
    stdout: "pipe",
    stderr: "ignore",
    env: { ...process.env, LC_ALL: "C.UTF-8" },
  });
  const listing = (await new Response(child.stdout).text()).split("\n");
  await child.exited;
  const out = new Uint8Array(bytes);
  const encoder = new TextEncoder();
  let at = 0;
  for (let n = 0; at < bytes; n++) {
    const line = encoder.encode(`[line${n}] ${listing[n % listing.length]}${lineEnd}`);
    out.set(line.subarray(0, bytes - at), at);
    at += line.length;
  }
  return out;
}

interface EngineResult {
  engine: string;
  indexMbps: number;
  indexSeconds: number;
  rows: number;
  dbBytes: number;
  /** The table's own pages (rows with their text and tsvector inline, compressed). */
  heapBytes: number;
  /** The GIN and primary key indexes; the rest of dbBytes is TOAST. */
  indexBytes: number;
  latency: { label: string; p50: number; p99: number; results: number }[];
}

/** Part 1 on one engine: index `text` split over SESSIONS sessions, then search it. */
async function benchEngine(
  engine: string,
  database: Database,
  text: Uint8Array,
): Promise<EngineResult> {
  await migrateDatabase(database);
  const { db } = database;
  const perSession = Math.floor(text.length / SESSIONS);
  const now = Date.now();
  const sessions: Session[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    const id = crypto.randomUUID();
    const createdAt = new Date(now - (SESSIONS - i) * 60_000);
    await db.insert(sessionsTable).values({
      id,
      name: `bench ${i}`,
      provider: i % 2 === 0 ? "shell" : "claude",
      cwd: `/srv/project${i % 4}`,
      state: "ended",
      cols: 80,
      rows: 24,
      createdAt,
      endedAt: new Date(now),
      outputOffset: perSession,
      createdBy: "bench",
    });
    sessions.push({ id, state: "ended", outputOffset: perSession } as Session);
  }
  const source = new Map(
    sessions.map((s, i) => [s.id, text.subarray(i * perSession, (i + 1) * perSession)]),
  );
  const repo = createOutputTextRepo(db);
  const indexer = createSearchIndexer({
    manager: {
      list: async () => sessions,
      outputEnd: () => undefined,
      onEvent: () => () => undefined,
      output: async (id, since = 0, maxBytes = Number.POSITIVE_INFINITY) => {
        const bytes = source.get(id) ?? new Uint8Array(0);
        const slice = bytes.subarray(since, since + maxBytes);
        return { start: since, end: since + slice.length, bytes: slice };
      },
    },
    repo,
    limitBytes: 1024 ** 3,
    rateBytes: 1024 ** 4,
    intervalMs: 1,
    onError: (error, context) => log(`indexer error ${context}: ${String(error)}`),
  });
  const start = performance.now();
  await indexer.start();
  for (;;) {
    await Bun.sleep(100);
    const ends = await repo.indexedEnds();
    const done = sessions.filter((s) => (ends.get(s.id) ?? 0) >= perSession).length;
    if (done === SESSIONS) break;
  }
  const seconds = (performance.now() - start) / 1000;
  await indexer.dispose();
  const rows = await rowsOf<{
    n: string | number;
    size: string | number;
    heap: string | number;
    indexes: string | number;
  }>(
    database,
    sql`select count(*) as n, pg_total_relation_size('session_output_text') as size,
          pg_relation_size('session_output_text') as heap,
          pg_indexes_size('session_output_text') as indexes
        from session_output_text`,
  );
  const queries: [string, Record<string, string>][] = [
    ["one rare word", { q: `line${Math.floor((perSession * SESSIONS) / 200)}` }],
    ["a common word", { q: "root" }],
    ["a phrase", { q: '"root root"' }],
    ["two words, one provider", { q: "root share", provider: "claude" }],
    ["a word nobody printed", { q: "xylophone" }],
  ];
  const latency: EngineResult["latency"] = [];
  for (const [label, query] of queries) {
    const times: number[] = [];
    let results = 0;
    for (let i = 0; i < QUERY_REPETITIONS; i++) {
      const began = performance.now();
      const hits = await repo.search({
        q: query.q ?? "",
        provider: query.provider,
        limit: 21,
        offset: 0,
        startSel: MATCH_START,
        stopSel: MATCH_END,
      });
      times.push(performance.now() - began);
      results = hits.length;
    }
    latency.push({ label, p50: median(times), p99: percentile(times, 99), results });
  }
  return {
    engine,
    indexMbps: text.length / 1e6 / seconds,
    indexSeconds: seconds,
    rows: Number(rows[0]?.n ?? 0),
    dbBytes: Number(rows[0]?.size ?? 0),
    heapBytes: Number(rows[0]?.heap ?? 0),
    indexBytes: Number(rows[0]?.indexes ?? 0),
    latency,
  };
}

async function rowsOf<T>(database: Database, query: ReturnType<typeof sql>): Promise<T[]> {
  const result: unknown = await database.db.execute(query);
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/** Part 2: WebSocket throughput of `cat file` with indexing off, default and unbounded. */
async function benchStream(file: string, cleanup: ReturnType<typeof createCleanup>) {
  const template = await prepareTemplate(cleanup);
  const script = `stty -echo; printf ${READY}; IFS= read -r _; exec cat ${file}`;
  const modes = [
    ["off", { SEARCH_INDEX_LIMIT: "0" }],
    ["1mb/s (default)", {}],
    ["unbounded", { SEARCH_INDEX_RATE: "1gb", SEARCH_INDEX_LIMIT: "1gb" }],
  ] as const;
  const servers = [];
  for (const [label, env] of modes) {
    servers.push({
      label,
      server: await startBenchServer(
        { backend: "bun", template, env: { ...env, SCROLLBACK_BYTES: "128mb", IDLE_AFTER: "1s" } },
        cleanup,
      ),
      runs: [] as ThroughputRun[],
    });
  }
  const floor: ThroughputRun[] = [];
  const home = mkdtempSync(join(tmpdir(), "opendray-bench-home-"));
  cleanup.add(() => rmSync(home, { recursive: true, force: true }));
  try {
    for (let i = 0; i < STREAM_RUNS; i++) {
      log(`  raw PTY ${i + 1}`);
      const terminal = spawnPtyTerminal("bun", script, home);
      try {
        floor.push(await measureThroughput(terminal));
      } finally {
        terminal.dispose();
      }
      for (const entry of servers) {
        log(`  WebSocket, indexing ${entry.label} ${i + 1}`);
        const { viewer } = await openSession(entry.server, script);
        try {
          entry.runs.push(await measureThroughput(viewer));
        } finally {
          viewer.dispose();
        }
      }
    }
  } finally {
    await Promise.all(servers.map((entry) => entry.server.stop()));
  }
  return { floor, servers };
}

async function main() {
  const args = process.argv.slice(2);
  const mb = Number(args.find((arg) => /^\d+$/.test(arg)) ?? 64);
  const withStream = !args.includes("--no-stream");
  const cleanup = createCleanup();
  try {
    log(`building ${mb} MB of coloured, numbered log lines`);
    const text = await corpus(mb * 1_000_000);
    const results: EngineResult[] = [];
    log("PGlite: indexing and searching");
    const dir = mkdtempSync(join(tmpdir(), "opendray-bench-search-"));
    cleanup.add(() => rmSync(dir, { recursive: true, force: true }));
    const pglite = await openDatabase({ kind: "pglite", dataDir: dir });
    try {
      results.push(await benchEngine("PGlite", pglite, text));
    } finally {
      await pglite.close();
    }
    log("PostgreSQL: indexing and searching");
    const postgres = await openDatabase({
      kind: "postgres",
      url: await throwawayDatabase(cleanup),
    });
    try {
      results.push(await benchEngine("PostgreSQL", postgres, text));
    } finally {
      await postgres.close();
    }
    print(
      `Search over sessions' output — ${new Date().toISOString()} — ${mb} MB of output, ${SESSIONS} sessions`,
    );
    print();
    print(
      renderTable(
        [
          "engine",
          "indexing",
          "rows",
          "database size",
          "per MB of output",
          "table / indexes / TOAST",
        ],
        results.map((r) => [
          r.engine,
          `${r.indexMbps.toFixed(1)} MB/s (${r.indexSeconds.toFixed(1)} s)`,
          String(r.rows),
          `${(r.dbBytes / MiB).toFixed(1)} MiB`,
          `${(r.dbBytes / MiB / mb).toFixed(2)} MiB`,
          `${[r.heapBytes, r.indexBytes, r.dbBytes - r.heapBytes - r.indexBytes]
            .map((bytes) => (bytes / MiB).toFixed(1))
            .join(" / ")} MiB`,
        ]),
      ),
    );
    print();
    print(
      renderTable(
        ["query", ...results.map((r) => `${r.engine} p50 / p99 (results)`)],
        (results[0]?.latency ?? []).map((row, index) => [
          row.label,
          ...results.map((r) => {
            const cell = r.latency[index];
            return cell
              ? `${cell.p50.toFixed(1)} / ${cell.p99.toFixed(1)} ms (${cell.results})`
              : "";
          }),
        ]),
      ),
    );
    if (!withStream) return;
    const file = join(dir, "stream.txt");
    // Plain \n: the PTY turns it into \r\n, as for any program.
    writeFileSync(file, await corpus(STREAM_BYTES, "\n"));
    log("the PTY with indexing off and on");
    const stream = await benchStream(file, cleanup);
    print();
    print(
      renderTable(
        ["path", "MB/s (median)", "runs"],
        [
          [
            "raw PTY (floor)",
            median(stream.floor.map((r) => r.mbps)).toFixed(1),
            runs(stream.floor.map((r) => r.mbps)),
          ],
          ...stream.servers.map((entry) => [
            `WebSocket, indexing ${entry.label}`,
            median(entry.runs.map((r) => r.mbps)).toFixed(1),
            runs(entry.runs.map((r) => r.mbps)),
          ]),
        ],
      ),
    );
  } finally {
    await cleanup.runAll();
  }
}

await main();
