// The server's logger: pino on stderr. JSON lines for journald and log collectors; when stderr is
// a terminal, one readable line per entry instead. One instance, created by main and passed down.
// Logging never fails the process: a line that cannot be written (stderr is a file on a full
// disk) waits for the next write, and the same failure reported again and again is one line.
import pino from "pino";

export type Logger = pino.Logger;

export interface LoggerOptions {
  /** Readable lines (`12:00:01 INFO listening url=…`) instead of JSON; for a terminal. */
  pretty?: boolean;
  /** Where the lines go; default 2 (stderr). */
  fd?: number;
}

/** Most bytes of log lines held in memory while they cannot be written; later lines are dropped. */
export const MAX_PENDING_LOG_BYTES = 1024 * 1024;

/** @param level minimum level written; "silent" for tests */
export function createLogger(level: pino.LevelWithSilent, options: LoggerOptions = {}): Logger {
  const destination = pino.destination({
    fd: options.fd ?? 2,
    sync: true,
    maxLength: MAX_PENDING_LOG_BYTES,
  });
  const logger = options.pretty
    ? pino(
        { level, base: undefined },
        { write: (line: string) => destination.write(formatLine(line)) },
      )
    : pino({ level, base: undefined }, destination);
  // Unheard, SonicBoom's "error" (ENOSPC, EIO) is thrown into whatever was logging, often an
  // error handler: the process died of its own log. Heard, the line stays buffered and goes out
  // with the next write that succeeds; past MAX_PENDING_LOG_BYTES lines are dropped and counted.
  let dropped = 0;
  destination.on("error", () => {});
  destination.on("drop", () => {
    dropped += 1;
  });
  destination.on("write", () => {
    if (dropped === 0) return;
    const lines = dropped;
    dropped = 0;
    process.nextTick(() =>
      logger.warn({ lines }, "log lines were dropped: the log could not be written"),
    );
  });
  return logger;
}

/** Reports a failure and what was being done; never throws. */
export type ErrorReporter = (error: unknown, context: string) => void;

/** How long the same failure is counted instead of logged again. */
export const REPEAT_WINDOW_MS = 60_000;
/** Most kinds of failure counted at once. */
const MAX_REPEAT_WINDOWS = 1000;

/**
 * An ErrorReporter on `logger`. The first failure of a kind (same context, same error code or
 * message) is logged at once; the same failure again within `windowMs` is only counted, and the
 * count logged as one line when the window ends. A full disk fails every scrollback flush of
 * every session four times a second: that is one line a minute, not hundreds.
 */
export function createErrorReporter(
  logger: Logger,
  { windowMs = REPEAT_WINDOW_MS }: { windowMs?: number } = {},
): ErrorReporter & { dispose(): void } {
  // Invariant: a key is present while its window is open; `repeats` failures arrived since the
  // line that opened it, `last` is the newest of them.
  const windows = new Map<
    string,
    { context: string; repeats: number; last: unknown; timer: Timer }
  >();
  /** Logs the count of a window that ends; true if there was one. */
  const summarize = (key: string): boolean => {
    const window = windows.get(key);
    windows.delete(key);
    if (!window || window.repeats === 0) return false;
    clearTimeout(window.timer);
    const { context, repeats, last } = window;
    logger.error(
      { err: last, repeats, windowMs },
      `${context} (failed ${repeats} more time${repeats === 1 ? "" : "s"} in ${windowMs / 1000} s)`,
    );
    return true;
  };
  const open = (key: string, context: string) => {
    const timer = setTimeout(() => {
      if (summarize(key)) open(key, context);
    }, windowMs);
    timer.unref();
    windows.set(key, { context, repeats: 0, last: undefined, timer });
  };
  const report = (error: unknown, context: string) => {
    const key = `${context}\n${failureKind(error)}`;
    const window = windows.get(key);
    if (window) {
      window.repeats += 1;
      window.last = error;
      return;
    }
    logger.error({ err: error }, context);
    // Contexts may carry request paths: past MAX_REPEAT_WINDOWS, new kinds are logged uncounted.
    if (windows.size < MAX_REPEAT_WINDOWS) open(key, context);
  };
  return Object.assign(report, {
    /** Logs the counts not logged yet and stops the timers. */
    dispose() {
      for (const [key, window] of windows) {
        clearTimeout(window.timer);
        summarize(key);
      }
      windows.clear();
    },
  });
}

/** What makes two failures the same: the error code (ENOSPC) or else the message. */
function failureKind(error: unknown): string {
  if (typeof error !== "object" || error === null) return String(error);
  const { code, message } = error as { code?: unknown; message?: unknown };
  return typeof code === "string" ? code : String(message);
}

const LEVEL_NAMES: Record<number, string> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO",
  40: "WARN",
  50: "ERROR",
  60: "FATAL",
};

/**
 * One pino JSON line as `HH:MM:SS LEVEL message key=value …`, with an error's stack on the
 * lines below. pino-pretty does more, but as pino's usual transport it runs in a worker thread
 * that a compiled binary would have to load from node_modules, and it brings a dozen packages
 * for what a terminal needs here.
 */
export function formatLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const { time, level, msg, err, ...fields } = entry;
  const clock = typeof time === "number" ? new Date(time).toTimeString().slice(0, 8) : "";
  const name = (LEVEL_NAMES[level as number] ?? String(level)).padEnd(5);
  const pairs = Object.entries(fields).map(
    ([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`,
  );
  const stack = (err as { stack?: unknown } | undefined)?.stack;
  const errorText =
    typeof stack === "string"
      ? `\n  ${stack.replace(/\n/g, "\n  ")}`
      : err
        ? ` err=${JSON.stringify(err)}`
        : "";
  return `${clock} ${name} ${String(msg ?? "")}${pairs.length ? ` ${pairs.join(" ")}` : ""}${errorText}\n`;
}
