// How this program runs itself again (the PTY host, a CLI's hooks): the compiled binary, or bun
// with main.ts when run from source.

import { join } from "node:path";

const MAIN = join(import.meta.dir, "main.ts");

/** argv that runs `opendray`, to which a subcommand is added. */
export function selfCommand(): string[] {
  const compiled = import.meta.dir.startsWith("/$bunfs") || import.meta.dir.includes("~BUN");
  return compiled ? [process.execPath] : [process.execPath, MAIN];
}
