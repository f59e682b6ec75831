// Upload and download throughput: a 200 MiB file streamed through POST /sessions/:id/uploads and
// back through GET /sessions/:id/files/content?download=1 (loopback, bearer token, embedded PGlite,
// PTY_HOST=inprocess), curl in a process of its own on both ways, beside `cp` of the same file on
// the same file system in the same run, and the server's memory meanwhile. Medians of 3; nothing
// asserted.
// Run: bun bench/upload.ts [MiB] (default 200; BENCH_GC=1 to see held memory only)

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inheritableEnvironment, loadConfig } from "../src/config.ts";
import { createLogger } from "../src/log.ts";
import { startServer } from "../src/server.ts";

const MIB = 1024 * 1024;
const size = Number(process.argv[2] ?? 200) * MIB;
const RUNS = 3;
const work = mkdtempSync(join(tmpdir(), "opendray-bench-upload-"));
const source = join(work, "source.bin");
const cwd = join(work, "project");
execFileSync("mkdir", ["-p", cwd]);
const block = new Uint8Array(MIB).map((_, i) => (i * 7919) & 0xff);
writeFileSync(source, new Uint8Array(0));
for (let written = 0; written < size; written += MIB) writeFileSync(source, block, { flag: "a" });

const username = "bench";
const password = "bench password that is long";
const config = loadConfig({
  LISTEN_ADDR: "127.0.0.1:0",
  DATA_DIR: join(work, "data"),
  ADMIN_USERNAME: username,
  ADMIN_PASSWORD: password,
  PTY_HOST: "inprocess",
  UPLOAD_LIMIT: `${Math.ceil(size / MIB) + 1}mb`,
});
const server = await startServer(config, {
  version: "bench",
  baseEnv: { ...inheritableEnvironment(process.env), HOME: work, SHELL: "/bin/bash" },
  logger: createLogger("silent"),
});
const api = `${server.url}/api/v1`;
const login = await fetch(`${api}/auth/login`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ username, password }),
});
const { token } = (await login.json()) as { token: string };
const auth = { authorization: `Bearer ${token}` };
const created = await fetch(`${api}/sessions`, {
  method: "POST",
  headers: { ...auth, "content-type": "application/json" },
  body: JSON.stringify({ provider: "shell", cwd, args: ["-c", "exec cat >/dev/null"] }),
});
const { id } = (await created.json()) as { id: string };

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const mbps = (ms: number) => size / MIB / (ms / 1000);

const idleRss = process.memoryUsage().rss;
/** Most RSS growth over the RSS at a run's start (after a full GC), per part. */
const growth = { upload: 0, download: 0 };
const copies: number[] = [];
const userCopies: number[] = [];
const uploads: number[] = [];
const downloads: number[] = [];

/** Runs curl with `args`, sampling this process's RSS (the server's) into `growth[part]`. */
async function timedCurl(part: keyof typeof growth, args: string[]) {
  Bun.gc(true);
  const base = process.memoryUsage().rss;
  const start = performance.now();
  const curl = Bun.spawn(["curl", "-sS", "-H", `authorization: ${auth.authorization}`, ...args], {
    stdout: "pipe",
  });
  const sampler = setInterval(() => {
    // BENCH_GC=1: a full GC at each sample tells memory held from garbage not yet collected.
    if (process.env.BENCH_GC) Bun.gc(true);
    growth[part] = Math.max(growth[part], process.memoryUsage().rss - base);
  }, 20);
  const text = await new Response(curl.stdout).text();
  const code = await curl.exited;
  clearInterval(sampler);
  process.stderr.write(`${part}: ${(performance.now() - start).toFixed(0)} ms\n`);
  if (code !== 0) throw new Error(`curl exited with ${code}: ${text}`);
  return { ms: performance.now() - start, text };
}

// The file downloaded: a copy of the source inside the session's folder.
const served = join(cwd, "served.bin");
execFileSync("cp", [source, served]);
for (let run = 0; run < RUNS; run++) {
  const target = join(cwd, `copy-${run}.bin`);
  const start = performance.now();
  execFileSync("cp", [source, target]);
  copies.push(performance.now() - start);
  rmSync(target);
  // cp copies in the kernel (copy_file_range); dd with 1 MiB reads and writes passes the bytes
  // through user space, as any server must.
  const ddStart = performance.now();
  execFileSync("dd", [`if=${source}`, `of=${target}`, "bs=1M", "status=none"]);
  userCopies.push(performance.now() - ddStart);
  rmSync(target);

  // curl -T streams the file (--data-binary @ would read it whole first) from another process,
  // so that this process's memory is the server's alone.
  const up = await timedCurl("upload", [
    "-X",
    "POST",
    "-T",
    source,
    "-H",
    "content-type: application/octet-stream",
    `${api}/sessions/${id}/uploads?name=upload-${run}.bin`,
  ]);
  uploads.push(up.ms);
  const result = JSON.parse(up.text) as { path: string; size: number };
  if (statSync(result.path).size !== size) throw new Error(`upload failed: ${up.text}`);
  rmSync(result.path);

  // curl -o writes the response to a file on the same file system, as cp does.
  const saved = join(work, `downloaded-${run}.bin`);
  const down = await timedCurl("download", [
    "-f",
    "-o",
    saved,
    `${api}/sessions/${id}/files/content?path=served.bin&download=1`,
  ]);
  downloads.push(down.ms);
  if (statSync(saved).size !== size) throw new Error(`download failed: ${statSync(saved).size}`);
  rmSync(saved);
}
await server.close();
rmSync(work, { recursive: true, force: true });

const row = (what: string, runs: number[]) =>
  console.log(
    `| ${what} | ${median(runs).toFixed(0)} ms | ${mbps(median(runs)).toFixed(0)} | ${((median(copies) / median(runs)) * 100).toFixed(0)} % | ${runs.map((ms) => mbps(ms).toFixed(0)).join(" / ")} |`,
  );
console.log(`| ${size / MIB} MiB file | median of ${RUNS} | MB/s | of cp | runs, MB/s |`);
console.log("|---|---|---|---|---|");
row("cp (same file system)", copies);
row("dd bs=1M (same file system)", userCopies);
row("POST /uploads (loopback)", uploads);
row("GET /files/content?download=1 (loopback)", downloads);
const mib = (bytes: number) => (bytes / MIB).toFixed(0);
console.log(
  `server RSS: ${mib(idleRss)} MiB before; most growth during an upload +${mib(growth.upload)} MiB, during a download +${mib(growth.download)} MiB${process.env.BENCH_GC ? " (full GC at each sample)" : ""}`,
);
// The session's PTY keeps the event loop alive.
process.exit(0);
