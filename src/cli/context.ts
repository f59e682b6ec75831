// What every command gets from main.ts, and the one error type a command fails with: main.ts
// prints `opendray: <message>` and exits with its code, never a stack trace.

import type { Config } from "../config.ts";

/** The process's environment, only through config.ts (the one reader of the environment). */
export interface CliContext {
  /** Parses the environment; throws ConfigError (exit 2) on a bad value. */
  loadConfig(): Config;
  /** The environment sessions inherit (without OpenDray's own variables); PATH and SHELL live here. */
  baseEnv(): Record<string, string>;
}

/** A command failed for a reason the user can act on; `exitCode` 1 unless said otherwise. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** Exit code of a bad configuration or a bad command line (DESIGN §3: 2, one line). */
export const USAGE_EXIT_CODE = 2;
