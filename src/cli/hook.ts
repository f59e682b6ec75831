// `opendray hook [json]`: what a CLI's hooks run inside a session (src/attention/hook-client.ts).
// main.ts runs it before loading anything else, for speed; this entry only gives it its --help.

import { Command } from "commander";

export function hookCommand(): Command {
  return new Command("hook")
    .description(
      "report a CLI hook event (JSON on stdin, or as the last argument) to this session's server; run by the CLIs, not by people",
    )
    .argument("[json]", "the event, when the CLI passes it as an argument (Codex's notify)")
    .allowExcessArguments()
    .action(() => {});
}
