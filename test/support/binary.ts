// The compiled executable for tests: built once per test process with build.ts, alone in an
// empty temporary folder (no node_modules anywhere above it), and a runner for its commands.

import { chmodSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TEST_HOME } from "./server.ts";

const ROOT = join(import.meta.dir, "../..");
const built = new Map<string, Promise<string>>();

/**
 * Path of the compiled binary for `target` (default: this machine's), alone in a fresh
 * temporary folder that other users may read. Built once per test process and target.
 */
export function compiledBinary(target?: "bun-linux-x64" | "bun-linux-arm64"): Promise<string> {
  const key = target ?? "host";
  const existing = built.get(key);
  if (existing) return existing;
  const building = (async () => {
    const dir = mkdtempSync(join(tmpdir(), "opendray-bin-"));
    // Readable by other users: some tests run the binary as `nobody`.
    chmodSync(dir, 0o755);
    const binary = join(dir, "opendray");
    const targetArgs = target ? ["--target", target] : [];
    const build = Bun.spawn(
      [process.execPath, join(ROOT, "build.ts"), ...targetArgs, "--outfile", binary],
      {
        stdout: "pipe",
        stderr: "pipe",
      },
    );
    const [code, stdout, stderr] = await Promise.all([
      build.exited,
      new Response(build.stdout).text(),
      new Response(build.stderr).text(),
    ]);
    if (code !== 0) throw new Error(`build failed: ${stdout}${stderr}`);
    return binary;
  })();
  built.set(key, building);
  return building;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the binary with `args` to completion (bounded by `timeoutMs`), with a minimal environment. */
export async function runBinary(
  binary: string,
  args: string[],
  {
    env = {},
    stdin,
    user,
    timeoutMs = 30_000,
  }: { env?: Record<string, string>; stdin?: string; user?: number; timeoutMs?: number } = {},
): Promise<RunResult> {
  // setpriv drops to another uid for the checks that differ for root.
  const argv =
    user === undefined
      ? [binary, ...args]
      : ["setpriv", `--reuid=${user}`, `--regid=${user}`, "--clear-groups", binary, ...args];
  const child = Bun.spawn(argv, {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: TEST_HOME, SHELL: "/bin/bash", ...env },
    stdin: stdin === undefined ? "ignore" : new Blob([stdin]),
    stdout: "pipe",
    stderr: "pipe",
    timeout: timeoutMs,
  });
  const [code, stdout, stderr] = await Promise.all([
    child.exited,
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  return { code, stdout, stderr };
}
