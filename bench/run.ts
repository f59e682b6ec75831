// OpenDray's benchmarks (DESIGN §9): `npm run bench`, or `bun bench/run.ts [bun] [bun-pty]
// [host] [recording] [deflate]` for some parts only. Prints one table per PTY backend and one for permessage-deflate
// on stdout, progress on stderr. Exits non-zero only when a measurement could not be taken.

import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, release, tmpdir } from "node:os";
import { join } from "node:path";
import {
  type BackendResults,
  benchBackend,
  LARGE_SCROLLBACK,
  REPETITIONS,
  THROUGHPUT_REPETITIONS,
} from "./backend.ts";
import { createCleanup } from "./cleanup.ts";
import { CORPUS_BYTES, deflateRuns, terminalCorpus } from "./deflate.ts";
import { benchHost, hostTable } from "./host.ts";
import { benchRecording, recordingTable } from "./recording.ts";
import { backendTable, deflateTable } from "./report.ts";
import { prepareTemplate } from "./server-process.ts";

const PARTS = ["bun", "bun-pty", "host", "recording", "deflate"] as const;
type Part = (typeof PARTS)[number];

const startedMs = performance.now();
/** Progress on stderr, stamped with the seconds since the start. */
const log = (line: string) =>
  process.stderr.write(
    `[${((performance.now() - startedMs) / 1000).toFixed(0).padStart(3)} s] ${line.trim()}\n`,
  );
const print = (text = "") => process.stdout.write(`${text}\n`);

function parseParts(args: string[]): Part[] {
  if (args.length === 0) return [...PARTS];
  for (const arg of args) {
    if (!(PARTS as readonly string[]).includes(arg)) {
      log(`usage: bun bench/run.ts [${PARTS.join("] [")}]`);
      process.exit(2);
    }
  }
  return args as Part[];
}

async function main(): Promise<number> {
  const parts = parseParts(process.argv.slice(2));
  const cleanup = createCleanup();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      log(`bench: ${signal}, stopping servers and children`);
      cleanup.runAll().finally(() => process.exit(130));
    });
  }
  let failures = 0;
  try {
    print(
      `OpenDray benchmarks — ${new Date().toISOString()} — Bun ${Bun.version}, Linux ${release()}, ` +
        `${cpus().length} cores, load average ${loadavg()
          .map((load) => load.toFixed(2))
          .join(" ")} at start`,
    );
    print(
      `Medians of ${THROUGHPUT_REPETITIONS} throughput runs and of ${REPETITIONS} of the others unless stated; ` +
        "each figure beside its baseline from this same run. " +
        "Sessions run `bash -l -c` with an empty HOME; the server is a separate process.",
    );

    const backends = parts.filter(
      (part): part is "bun" | "bun-pty" => part === "bun" || part === "bun-pty",
    );
    if (backends.length > 0 || parts.includes("host") || parts.includes("recording")) {
      log("bench: preparing a database template (initdb, once)…");
      const template = await prepareTemplate(cleanup);
      const home = mkdtempSync(join(tmpdir(), "opendray-bench-home-"));
      cleanup.add(() => rmSync(home, { recursive: true, force: true }));
      for (const backend of backends) {
        const results: BackendResults = await benchBackend(backend, template, home, cleanup, log);
        failures += results.failures.length;
        print();
        print(`PTY_BACKEND=${backend}`);
        print(backendTable(results, LARGE_SCROLLBACK));
      }
      if (parts.includes("host")) {
        log("bench: through the PTY host…");
        try {
          const results = await benchHost(template, home, cleanup, log);
          print();
          print("PTY_HOST=auto beside PTY_HOST=inprocess (PTY_BACKEND=bun, same run)");
          print(hostTable(results));
        } catch (error) {
          failures += 1;
          print(`PTY host: not measured: ${String(error)}`);
        }
      }
      if (parts.includes("recording")) {
        log("bench: recording on and off…");
        try {
          const results = await benchRecording(template, home, cleanup, log);
          print();
          print("RECORDING_LIMIT: recordings on and off (PTY_BACKEND=bun, same run)");
          print(recordingTable(results));
        } catch (error) {
          failures += 1;
          print(`recording: not measured: ${String(error)}`);
        }
      }
    }

    if (parts.includes("deflate")) {
      log("bench: permessage-deflate…");
      try {
        const corpus = await terminalCorpus();
        const results = await deflateRuns(corpus, REPETITIONS);
        print();
        print("permessage-deflate (Bun.serve in the bench process → Bun WebSocket client process)");
        print(deflateTable(results, CORPUS_BYTES));
      } catch (error) {
        failures += 1;
        print(`permessage-deflate: not measured: ${String(error)}`);
      }
    }
  } finally {
    await cleanup.runAll();
  }
  print();
  print(`Took ${((performance.now() - startedMs) / 1000).toFixed(0)} s.`);
  if (failures > 0) log(`bench: ${failures} measurement(s) could not be taken`);
  return failures > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    log(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
