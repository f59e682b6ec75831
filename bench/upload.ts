// Upload throughput: a 200 MiB file streamed through POST /sessions/:id/uploads (loopback, bearer
// token, embedded PGlite, PTY_HOST=inprocess) beside `cp` of the same file on the same file system
// in the same run, and the server's memory meanwhile. Medians of 3; nothing asserted.
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
let peakRss = idleRss;
const copies: number[] = [];
const uploads: number[] = [];
for (let run = 0; run < RUNS; run++) {
  const target = join(cwd, `copy-${run}.bin`);
  let start = performance.now();
  execFileSync("cp", [source, target]);
  copies.push(performance.now() - start);
  rmSync(target);

  // curl -T streams the file (--data-binary @ would read it whole first) from another process,
  // so that this process's memory is the server's alone.
  start = performance.now();
  const curl = Bun.spawn(
    [
      "curl",
      "-sS",
      "-X",
      "POST",
      "-T",
      source,
      "-H",
      `authorization: ${auth.authorization}`,
      "-H",
      "content-type: application/octet-stream",
      `${api}/sessions/${id}/uploads?name=upload-${run}.bin`,
    ],
    { stdout: "pipe" },
  );
  const sampler = setInterval(() => {
    // BENCH_GC=1: a full GC at each sample tells memory held from garbage not yet collected.
    if (process.env.BENCH_GC) Bun.gc(true);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 20);
  const text = await new Response(curl.stdout).text();
  await curl.exited;
  clearInterval(sampler);
  uploads.push(performance.now() - start);
  const result = JSON.parse(text) as { path: string; size: number };
  if (statSync(result.path).size !== size) throw new Error(`upload failed: ${text}`);
  rmSync(result.path);
}
await server.close();
rmSync(work, { recursive: true, force: true });

console.log(`| ${size / MIB} MiB file | median of ${RUNS} | MB/s |`);
console.log("|---|---|---|");
console.log(
  `| cp (same file system) | ${median(copies).toFixed(0)} ms | ${mbps(median(copies)).toFixed(0)} |`,
);
console.log(
  `| POST /uploads (loopback) | ${median(uploads).toFixed(0)} ms | ${mbps(median(uploads)).toFixed(0)} |`,
);
console.log(
  `server RSS: ${(idleRss / MIB).toFixed(0)} MiB before, peak ${(peakRss / MIB).toFixed(0)} MiB during the uploads`,
);
