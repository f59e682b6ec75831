// The server's logger: pino on stderr. JSON lines for journald and log collectors; when stderr is
// a terminal, one readable line per entry instead. One instance, created by main and passed down.
import pino from "pino";

export type Logger = pino.Logger;

export interface LoggerOptions {
  /** Readable lines (`12:00:01 INFO listening url=…`) instead of JSON; for a terminal. */
  pretty?: boolean;
}

/** @param level minimum level written; "silent" for tests */
export function createLogger(level: pino.LevelWithSilent, options: LoggerOptions = {}): Logger {
  const destination = pino.destination({ fd: 2, sync: true });
  if (!options.pretty) return pino({ level, base: undefined }, destination);
  return pino(
    { level, base: undefined },
    { write: (line: string) => destination.write(formatLine(line)) },
  );
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
