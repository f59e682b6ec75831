// Real git repositories for the tests of the Changes view: made in a temporary folder with
// `git init`, files written and committed by git itself, an author set in the environment.

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const AUTHOR = {
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.com",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.com",
  GIT_CONFIG_NOSYSTEM: "1",
};

export interface GitRepo {
  dir: string;
  /** Runs git in the repository (no shell) and returns its stdout. */
  git(...args: string[]): string;
  /** Writes `path` (relative), creating its folders. */
  write(path: string, content: string | Uint8Array): void;
  /** Writes every file, stages them all and commits; returns the commit's hash. */
  commit(message: string, files?: Record<string, string | Uint8Array>): string;
}

/** A new repository (branch `main`) in a fresh temporary folder, or a plain folder with `init: false`. */
export function createRepo(name: string, { init = true } = {}): GitRepo {
  const dir = mkdtempSync(join(tmpdir(), `opendray-${name}-`));
  const git = (...args: string[]) =>
    execFileSync("git", args, {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, ...AUTHOR },
      stdio: ["ignore", "pipe", "pipe"],
    });
  const write = (path: string, content: string | Uint8Array) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  };
  if (init) git("init", "-q", "-b", "main");
  return {
    dir,
    git,
    write,
    commit(message, files = {}) {
      for (const [path, content] of Object.entries(files)) write(path, content);
      git("add", "-A");
      git("commit", "-q", "--allow-empty", "-m", message);
      return git("rev-parse", "HEAD").trim();
    },
  };
}

/** `count` numbered lines of text, each ending in a newline. */
export const numberedLines = (count: number, word = "line") =>
  Array.from({ length: count }, (_, i) => `${word} ${i + 1}\n`).join("");
