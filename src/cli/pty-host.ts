// `opendray pty-host`: the long-lived process that owns the PTYs (src/pty-host/). `serve` starts
// it detached when none runs (PTY_HOST=auto); systemd may run it as a unit of its own.

import { Command } from "commander";
import { runPtyHost } from "../pty-host/run.ts";
import { VERSION } from "../version.ts";
import type { CliContext } from "./context.ts";

export function ptyHostCommand(ctx: CliContext): Command {
  return new Command("pty-host")
    .description(
      "run the PTY host in the foreground: it owns the sessions' terminals so that they " +
        "outlive a server restart (serve starts it by itself when PTY_HOST=auto)",
    )
    .action(() => runPtyHost(ctx.loadConfig(), VERSION));
}
