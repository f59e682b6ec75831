// The runner of the `git` commands that make and remove worktrees: an argv array (never a shell),
// no prompt, a bounded run time, and configuration that keeps the repository from running
// programs of its own (hooks, fsmonitor). Its checkouts do run the repository's clean/smudge
// filters, as `git worktree add` by hand would (Git LFS needs them). The Changes view reads
// through its own, stricter runner (src/git/run-git.ts: no filters, output caps, one deadline).

/** How long one git command may run, in ms, before it is killed. */
export const GIT_TIMEOUT_MS = 20_000;

export interface GitResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs `git <args>` in `cwd`; never rejects for a non-zero exit (see `exitCode`). */
export type Git = (cwd: string, args: readonly string[]) => Promise<GitResult>;

/**
 * Set on every command: a repository's hooks (post-checkout on `worktree add`) and its
 * fsmonitor (`status`) are programs the server would otherwise start on its own.
 */
const SAFE_CONFIG = ["-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false"];

/** A Git over `Bun.spawn`, with `env` (the server's inheritable environment) for its children. */
export function createGit(
  env: Record<string, string>,
  { timeoutMs = GIT_TIMEOUT_MS }: { timeoutMs?: number } = {},
): Git {
  const childEnv = { ...env, GIT_TERMINAL_PROMPT: "0", GIT_OPTIONAL_LOCKS: "0", LC_ALL: "C" };
  return async (cwd, args) => {
    const child = Bun.spawn(["git", ...SAFE_CONFIG, ...args], {
      cwd,
      env: childEnv,
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      timeout: timeoutMs,
      killSignal: "SIGKILL",
    });
    const [stdout, stderr, exitCode] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
      child.exited,
    ]);
    if (child.signalCode) {
      return { exitCode: 128, stdout, stderr: `git ${args[0]} timed out after ${timeoutMs} ms` };
    }
    return { exitCode, stdout, stderr };
  };
}
