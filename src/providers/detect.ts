// Whether a provider's CLI is installed and which version: a PATH lookup without a shell, then a
// bounded `--version` probe in its own process group, cached per provider so listing stays cheap.

import { accessSync, constants, statSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { signalGroup } from "../process-group.ts";

/** How long a version probe may run before its process group is killed, in ms. */
export const PROBE_TIMEOUT_MS = 10_000;
/** How much of a probe's combined stdout and stderr is kept, in bytes. */
export const PROBE_OUTPUT_BYTES = 64 * 1024;
/** How long a detection is reused before the next detect() probes again, in ms. */
export const DETECTION_TTL_MS = 10 * 60_000;
/** How long to wait for a killed probe's exit and pipes to close before giving up on them, in ms. */
const KILL_GRACE_MS = 250;
/** How much of a failed probe's first output line goes into `Detection.error`, in characters. */
const ERROR_OUTPUT_CHARS = 200;

const VERSION_PATTERN = /\d+\.\d+(\.\d+)?([-.+][\w.]+)?/;

export interface ResolveOptions {
  /** The PATH value to search: `:`-separated; empty and relative entries are skipped. */
  path: string;
  /** Base for names with a slash that are not absolute (`./bin/tool`); without it they never resolve. */
  cwd?: string;
}

/**
 * The absolute path of `executable` when it names a regular file the current user may execute:
 * an absolute path is checked as is, a bare name is looked up along `path`. Never runs anything.
 */
export function resolveExecutable(executable: string, options: ResolveOptions): string | undefined {
  if (executable === "") return undefined;
  if (isAbsolute(executable)) return isExecutableFile(executable) ? executable : undefined;
  if (executable.includes("/")) {
    if (options.cwd === undefined) return undefined;
    const candidate = resolve(options.cwd, executable);
    return isExecutableFile(candidate) ? candidate : undefined;
  }
  for (const dir of options.path.split(":")) {
    // A relative entry would make the answer depend on the server's working directory.
    if (!isAbsolute(dir)) continue;
    const candidate = join(dir, executable);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The first version-looking token in a CLI's output ("codex-cli 0.46.0" → "0.46.0"), or null. */
export function extractVersion(output: string): string | null {
  const match = VERSION_PATTERN.exec(output);
  return match ? match[0].replace(/\.+$/, "") : null;
}

export interface ProbeOptions {
  /** Arguments after the file; default `["--version"]`. */
  args?: string[];
  /** Kill the probe's process group with SIGKILL after this many ms; default 10 000 (Node-based CLIs take seconds to start cold). */
  timeoutMs?: number;
  /** The probe's whole environment; default Bun's: the server's own. */
  env?: Record<string, string>;
  /** Keep at most this many bytes of stdout plus stderr, then kill the probe; default 64 KiB. */
  maxOutputBytes?: number;
}

export interface ProbeResult {
  /** The first version-looking token of `output`, or null. */
  version: string | null;
  /** Stdout then stderr, decoded as UTF-8, at most `maxOutputBytes` bytes of it. */
  output: string;
  /** True when the probe was still running at `timeoutMs` and was killed. */
  timedOut: boolean;
  /** Null when the probe was killed by a signal or did not exit in time. */
  exitCode: number | null;
}

/**
 * Runs `file` with `args` (no shell, stdin ignored) in a new process group and reads its bounded
 * output. Settles within `timeoutMs` plus a 250 ms grace even if descendants hold the pipes open.
 * Rejects only when the file cannot be spawned at all (ENOENT, ENOEXEC, EACCES).
 */
export async function probeVersion(file: string, options: ProbeOptions = {}): Promise<ProbeResult> {
  const {
    args = ["--version"],
    timeoutMs = PROBE_TIMEOUT_MS,
    env,
    maxOutputBytes = PROBE_OUTPUT_BYTES,
  } = options;
  const child = Bun.spawn([file, ...args], {
    env,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    // setsid(): the probe leads its own group, so one kill reaches everything it started.
    detached: true,
  });
  const killGroup = () => signalGroup(child.pid, "SIGKILL");
  const stdout: Uint8Array[] = [];
  const stderr: Uint8Array[] = [];
  const readers = [child.stdout.getReader(), child.stderr.getReader()] as const;
  let keptBytes = 0;

  const drain = async (reader: (typeof readers)[number], chunks: Uint8Array[]) => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        const room = maxOutputBytes - keptBytes;
        if (value.byteLength > room) {
          chunks.push(value.subarray(0, room));
          keptBytes = maxOutputBytes;
          killGroup();
          return;
        }
        chunks.push(value);
        keptBytes += value.byteLength;
      }
    } catch {
      // Cancelled after a timeout, or the pipe broke: keep what was read.
    }
  };

  const finished = Promise.all([
    drain(readers[0], stdout),
    drain(readers[1], stderr),
    child.exited,
  ]);
  const timedOut = !(await settlesWithin(finished, timeoutMs));
  if (timedOut) {
    killGroup();
    await settlesWithin(finished, KILL_GRACE_MS);
  }
  for (const reader of readers) reader.cancel().catch(() => {});

  const output = new TextDecoder().decode(Buffer.concat([...stdout, ...stderr]));
  return { version: extractVersion(output), output, timedOut, exitCode: child.exitCode };
}

/** Whether `promise` settles within `ms`; the timer is cleared either way. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: Timer | undefined;
  const expired = new Promise<false>((done) => {
    timer = setTimeout(() => done(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), expired]);
  } finally {
    clearTimeout(timer);
  }
}

export interface Detection {
  available: boolean;
  /** The resolved absolute path, or null when not found. */
  path: string | null;
  version: string | null;
  /** When the probe finished, ISO 8601. */
  checkedAt: string;
  /** Why `available` is false or `version` is null; null when both are known. */
  error: string | null;
}

export interface DetectorOptions {
  /** The PATH value executables are looked up on. */
  path: string;
  /** The probes' environment; default Bun's: the server's own. */
  env?: Record<string, string>;
  /** Per-probe timeout in ms; default 10 000. */
  timeoutMs?: number;
  /** Clock in ms since the epoch; default `Date.now`. */
  now?: () => number;
  /** How long a detection is reused, in ms; default 10 minutes. */
  ttlMs?: number;
}

export interface Detector {
  /** Resolves and probes `executable` for provider `id`, or reuses a result younger than ttlMs. */
  detect(id: string, executable: string, versionArgs?: string[]): Promise<Detection>;
  /** Forgets every cached detection of `id`; the next detect() probes again. */
  refresh(id: string): void;
}

/** A cache of detections per provider id and executable; concurrent detects share one probe. */
export function createDetector({
  path,
  env,
  timeoutMs = PROBE_TIMEOUT_MS,
  now = Date.now,
  ttlMs = DETECTION_TTL_MS,
}: DetectorOptions): Detector {
  // Invariant: an entry without `settledAt` is in flight; one with it expires at settledAt + ttlMs.
  interface Entry {
    detection: Promise<Detection>;
    settledAt?: number;
  }
  const cache = new Map<string, Map<string, Entry>>();

  const done = (
    available: boolean,
    file: string | null,
    version: string | null,
    error: string | null,
  ): Detection => ({
    available,
    path: file,
    version,
    checkedAt: new Date(now()).toISOString(),
    error,
  });

  const probe = async (executable: string, args: string[] | undefined): Promise<Detection> => {
    const file = resolveExecutable(executable, { path });
    if (file === undefined) {
      const where = executable.includes("/") ? "is not an executable file" : "not found on PATH";
      return done(false, null, null, `${JSON.stringify(executable)} ${where}`);
    }
    try {
      const result = await probeVersion(file, { args, timeoutMs, env });
      return done(true, file, result.version, probeError(result, timeoutMs));
    } catch (error) {
      return done(true, file, null, `version probe failed: ${(error as Error).message}`);
    }
  };

  return {
    detect(id, executable, versionArgs) {
      const key = JSON.stringify([executable, versionArgs ?? null]);
      let entries = cache.get(id);
      const cached = entries?.get(key);
      if (cached && (cached.settledAt === undefined || now() - cached.settledAt < ttlMs)) {
        return cached.detection;
      }
      if (!entries) {
        entries = new Map();
        cache.set(id, entries);
      }
      const entry: Entry = {
        detection: probe(executable, versionArgs).then((detection) => {
          entry.settledAt = now();
          return detection;
        }),
      };
      entries.set(key, entry);
      return entry.detection;
    },
    refresh(id) {
      cache.delete(id);
    },
  };
}

function probeError(result: ProbeResult, timeoutMs: number): string | null {
  if (result.timedOut) return `version probe timed out after ${timeoutMs} ms`;
  if (result.version !== null) return null;
  const firstLine = result.output.trim().split("\n", 1)[0]?.slice(0, ERROR_OUTPUT_CHARS) ?? "";
  const status = result.exitCode === null ? "was killed" : `exited with code ${result.exitCode}`;
  return `version probe ${status} without a version${firstLine ? `: ${firstLine}` : ""}`;
}
