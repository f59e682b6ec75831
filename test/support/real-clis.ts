// The real AI CLIs for the real-CLI test: installed from npm, at pinned versions, into a
// per-user cache folder (once; later runs and CI re-runs reuse it). Pinned so the first screens
// the test looks for do not change under it; bump them together with the test's expectations.

import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** Provider id → npm package and version. */
export const REAL_CLIS = {
  claude: { pkg: "@anthropic-ai/claude-code", version: "2.1.197" },
  codex: { pkg: "@openai/codex", version: "0.169.0" },
  gemini: { pkg: "@google/gemini-cli", version: "0.61.0" },
  opencode: { pkg: "opencode-ai", version: "1.18.33" },
} as const;

export type RealCliId = keyof typeof REAL_CLIS;

/** npm install can take minutes on a cold cache. */
export const INSTALL_TIMEOUT_MS = 10 * 60_000;

/**
 * The `node_modules/.bin` folder holding the four CLIs, installing them first when the cache
 * lacks them. The install runs in a staging folder renamed into place, so an interrupted run
 * never leaves a half-installed cache behind.
 */
export async function realCliBin(): Promise<string> {
  const specs = Object.values(REAL_CLIS).map(({ pkg, version }) => `${pkg}@${version}`);
  const cacheRoot = join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "opendray-test");
  const key = new Bun.CryptoHasher("sha256").update(specs.join(" ")).digest("hex").slice(0, 12);
  const prefix = join(cacheRoot, `clis-${key}`);
  const bin = join(prefix, "node_modules", ".bin");
  if (existsSync(join(prefix, ".complete"))) return bin;

  mkdirSync(cacheRoot, { recursive: true });
  const staging = `${prefix}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const install = Bun.spawn(
    [
      "npm",
      "install",
      "--prefix",
      staging,
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      ...specs,
    ],
    { stdout: "pipe", stderr: "pipe", stdin: "ignore" },
  );
  const timer = setTimeout(() => install.kill("SIGKILL"), INSTALL_TIMEOUT_MS);
  const [code, stderr] = await Promise.all([install.exited, new Response(install.stderr).text()]);
  clearTimeout(timer);
  if (code !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`npm install ${specs.join(" ")} failed (exit ${code}):\n${stderr}`);
  }
  await Bun.write(join(staging, ".complete"), `${specs.join("\n")}\n`);
  rmSync(prefix, { recursive: true, force: true });
  renameSync(staging, prefix);
  return bin;
}
