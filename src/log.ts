// The server's logger: pino, JSON lines on stderr. One instance, created by main and passed down.
import pino from "pino";

export type Logger = pino.Logger;

/** @param level minimum level written; "silent" for tests */
export function createLogger(level: pino.LevelWithSilent): Logger {
  return pino({ level, base: undefined }, pino.destination({ fd: 2, sync: true }));
}
