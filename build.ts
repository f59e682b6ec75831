// Builds the single executable: `bun build --compile` of src/main.ts into dist/, embedding the
// browser UI (web/build.ts), the SQL migrations (kept at drizzle/… inside the binary), PGlite's wasm/data files
// and bun-pty's native library, with the git commit baked in; then dist/SHA256SUMS.
//
// Usage: bun build.ts                     both targets into dist/, then dist/SHA256SUMS
//        bun build.ts --target bun-linux-x64|bun-linux-arm64 [--outfile PATH]   one binary
//
// Cross-compiling (arm64 on x64, or the reverse) needs Bun's runtime for the other platform:
// `bun build` downloads it from the npm registry (@oven/bun-linux-aarch64 or -x64) on first use
// and caches it in ~/.bun/install/cache; offline and uncached, that target fails with a message.

import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { embedWebPlugin } from "./web/build.ts";

const ROOT = import.meta.dir;
const DIST = join(ROOT, "dist");
const TARGETS = ["bun-linux-x64", "bun-linux-arm64"] as const;
type Target = (typeof TARGETS)[number];

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    target: { type: "string" },
    outfile: { type: "string" },
  },
});
if (values.target !== undefined && !TARGETS.includes(values.target as Target)) {
  fail(`unknown --target ${values.target}; expected ${TARGETS.join(" or ")}`);
}

const commit = gitCommit();
if (values.target !== undefined || values.outfile !== undefined) {
  // One binary, e.g. for the tests: the host's target unless told otherwise.
  const target = (values.target ?? hostTarget()) as Target;
  await compile(target, values.outfile ?? defaultOutfile(target));
} else {
  const outfiles: string[] = [];
  for (const target of TARGETS) {
    const outfile = defaultOutfile(target);
    await compile(target, outfile);
    outfiles.push(outfile);
  }
  writeChecksums(outfiles);
}

async function compile(target: Target, outfile: string): Promise<void> {
  const started = performance.now();
  let result: Bun.BuildOutput;
  try {
    result = await Bun.build({
      entrypoints: [join(ROOT, "src/main.ts")],
      compile: { target, outfile },
      // Keep folders in embedded file names: the migrator reads drizzle/meta/_journal.json and
      // the SQL files beside it with node:fs (src/db/migration-files.ts imports them as files).
      naming: { asset: "[dir]/[name].[ext]" },
      define: { OPENDRAY_COMMIT: JSON.stringify(commit) },
      // The browser UI, built now and embedded in place of src/http/web-bundle.ts.
      plugins: [await embedWebPlugin()],
      minify: true,
      sourcemap: "linked",
    });
  } catch (error) {
    failTarget(target, error instanceof Error ? error.message : String(error));
  }
  if (!result.success) failTarget(target, result.logs.map(String).join("\n"));
  const size = Bun.file(outfile).size;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `built ${outfile} (${target}, commit ${commit}, ${(size / 2 ** 20).toFixed(1)} MiB, ${seconds} s)`,
  );
}

/** dist/SHA256SUMS in the format `sha256sum -c` checks: `<hex>  <file name>`. */
function writeChecksums(outfiles: string[]): void {
  const lines = outfiles.map(
    (file) => `${createHash("sha256").update(readFileSync(file)).digest("hex")}  ${basename(file)}`,
  );
  const path = join(dirname(outfiles[0] ?? DIST), "SHA256SUMS");
  writeFileSync(path, `${lines.join("\n")}\n`);
  console.log(`wrote ${path}`);
}

function failTarget(target: Target, detail: string): never {
  const crossHint =
    target === hostTarget()
      ? ""
      : `\nCross-compiling for ${target} needs Bun's runtime for that platform, which bun downloads ` +
        "from the npm registry on first use and caches in ~/.bun/install/cache. Without network " +
        `access and without that cache, build the host's target only: bun build.ts --target ${hostTarget()}`;
  fail(`building ${target} failed:\n${detail}${crossHint}`);
}

/** Short hash of HEAD, `-dirty` when tracked files differ from it; "unknown" outside git. */
function gitCommit(): string {
  const git = (...args: string[]) => {
    const run = Bun.spawnSync(["git", ...args], { cwd: ROOT, stdout: "pipe", stderr: "ignore" });
    return run.exitCode === 0 ? run.stdout.toString().trim() : undefined;
  };
  const head = git("rev-parse", "--short=12", "HEAD");
  if (!head) return "unknown";
  return git("status", "--porcelain", "--untracked-files=no") ? `${head}-dirty` : head;
}

function hostTarget(): Target {
  return process.arch === "arm64" ? "bun-linux-arm64" : "bun-linux-x64";
}

function defaultOutfile(target: Target): string {
  return join(DIST, `opendray-${target.replace(/^bun-/, "")}`);
}

function fail(message: string): never {
  console.error(`build.ts: ${message}`);
  process.exit(1);
}
