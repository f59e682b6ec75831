// Where the Changes view runs git (worktrees have theirs: src/worktrees/git.ts): `git` found on
// the given PATH, spawned without a shell in the session's folder, in its own process group,
// with an environment and options that keep a repository from running programs of its own
// (external diff, textconv, filters, fsmonitor, hooks on an index write, a lazy fetch), a
// deadline and an output cap.

import { AppError } from "../errors.ts";
import { signalGroup } from "../process-group.ts";

/** How long one collection of changes may run git in all, in milliseconds. */
export const GIT_TIMEOUT_MS = 15_000;

/** Options every git command starts with (before its subcommand). */
const SAFE_OPTIONS = [
  "--no-pager",
  "--no-optional-locks",
  "-c",
  "core.quotepath=off",
  "-c",
  "core.fsmonitor=false",
  "-c",
  "core.untrackedCache=false",
  "-c",
  "protocol.allow=never",
  "-c",
  "color.ui=false",
];

/** Most bytes of stderr kept for an error message. */
const STDERR_BYTES = 4096;

export interface GitResult {
  stdout: Uint8Array;
  text: string;
  stderr: string;
  exitCode: number;
  /** stdout went past the command's cap and git was stopped. */
  overflow: boolean;
}

export interface GitOptions {
  /** The session's folder: git's working directory. */
  cwd: string;
  /** Where PATH and HOME come from (the server's inheritable environment). */
  env: Record<string, string>;
  /** The whole collection's deadline, as `performance.now()` milliseconds. */
  deadline: number;
}

export interface RunOptions {
  /** Stop git once its stdout passes this many bytes (`overflow` is then true). */
  maxBytes: number;
  /** Exit codes that are answers rather than failures (default: 0 alone). */
  okCodes?: readonly number[];
  /** Config set without parsing (key and value apart): GIT_CONFIG_KEY_n/VALUE_n. */
  config?: readonly (readonly [string, string])[];
}

export type Git = (args: readonly string[], options: RunOptions) => Promise<GitResult>;

/** 503 git_unavailable when git is not on PATH; the runner otherwise. */
export function createGit({ cwd, env, deadline }: GitOptions): Git {
  const file = Bun.which("git", { PATH: env.PATH ?? "" });
  if (!file) {
    throw new AppError(
      503,
      "git_unavailable",
      "git is not installed on the server (not found on its PATH)",
    );
  }
  const baseEnv: Record<string, string> = {
    PATH: env.PATH ?? "",
    // The server user's own git config (safe.directory) applies; git's messages in English.
    ...(env.HOME ? { HOME: env.HOME } : {}),
    ...(env.XDG_CONFIG_HOME ? { XDG_CONFIG_HOME: env.XDG_CONFIG_HOME } : {}),
    LC_ALL: "C",
    GIT_OPTIONAL_LOCKS: "0",
    GIT_TERMINAL_PROMPT: "0",
    GIT_NO_LAZY_FETCH: "1",
    GIT_PAGER: "cat",
  };
  return async (args, { maxBytes, okCodes = [0], config = [] }) => {
    const remaining = deadline - performance.now();
    if (remaining <= 0) throw timedOut();
    const childEnv: Record<string, string> = {
      ...baseEnv,
      GIT_CONFIG_COUNT: String(config.length),
    };
    config.forEach(([key, value], i) => {
      childEnv[`GIT_CONFIG_KEY_${i}`] = key;
      childEnv[`GIT_CONFIG_VALUE_${i}`] = value;
    });
    const child = spawnIn(cwd, [file, ...SAFE_OPTIONS, ...args], childEnv);
    let expired = false;
    const timer = setTimeout(() => {
      expired = true;
      signalGroup(child.pid, "SIGKILL");
    }, remaining);
    try {
      const [out, err] = await Promise.all([
        readCapped(child.stdout, maxBytes, () => signalGroup(child.pid, "SIGKILL")),
        readCapped(child.stderr, STDERR_BYTES),
        child.exited,
      ]);
      if (expired) throw timedOut();
      const stderr = new TextDecoder().decode(err.bytes);
      if (!out.overflow && !okCodes.includes(child.exitCode ?? -1)) {
        throw new GitFailed(args[0] ?? "git", child.exitCode ?? -1, stderr);
      }
      return {
        stdout: out.bytes,
        text: new TextDecoder().decode(out.bytes),
        stderr,
        exitCode: child.exitCode ?? -1,
        overflow: out.overflow,
      };
    } finally {
      clearTimeout(timer);
    }
  };
}

/** Starts git in `cwd`; 404 folder_not_found when the folder went away (or is a folder no more). */
function spawnIn(cwd: string, argv: string[], env: Record<string, string>) {
  try {
    return Bun.spawn(argv, {
      cwd,
      env,
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      detached: true,
    });
  } catch (error) {
    // git itself was found on PATH just before: these name the working directory.
    const code = (error as { code?: string }).code;
    if (code !== "ENOENT" && code !== "ENOTDIR") throw error;
    throw new AppError(
      404,
      "folder_not_found",
      `the session's folder ${cwd} is no longer a folder`,
    );
  }
}

/** git ended with an exit code that is no answer; `stderr` says why (git's own words). */
export class GitFailed extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number,
    readonly stderr: string,
  ) {
    super(`git ${command} failed (exit ${exitCode}): ${firstLine(stderr)}`);
    this.name = "GitFailed";
  }
}

/** 409 git_failed naming git's own first line of complaint. */
export const gitFailedError = (error: GitFailed) =>
  new AppError(409, "git_failed", `git ${error.command} failed: ${firstLine(error.stderr)}`);

const firstLine = (text: string) =>
  text
    .split("\n")
    .map((line) => line.trim())
    .find(Boolean) ?? "no message";

const timedOut = () =>
  new AppError(
    504,
    "git_timeout",
    `git did not answer within ${GIT_TIMEOUT_MS / 1000} s (a very large repository?)`,
  );

/** The stream's bytes up to `maxBytes`; past them `onOverflow` runs and the rest is dropped. */
async function readCapped(
  stream: ReadableStream<Uint8Array>,
  maxBytes: number,
  onOverflow?: () => void,
): Promise<{ bytes: Uint8Array; overflow: boolean }> {
  const chunks: Uint8Array[] = [];
  let kept = 0;
  let overflow = false;
  for await (const chunk of stream) {
    if (overflow) continue;
    if (kept + chunk.byteLength > maxBytes) {
      chunks.push(chunk.subarray(0, maxBytes - kept));
      kept = maxBytes;
      overflow = true;
      onOverflow?.();
      continue;
    }
    chunks.push(chunk);
    kept += chunk.byteLength;
  }
  return { bytes: Buffer.concat(chunks), overflow };
}
