// `opendray version` (and `opendray --version`): the version and the commit it was built from.

import { Command } from "commander";
import { versionLine } from "../version.ts";

export function versionCommand(): Command {
  return new Command("version").description("print the version and commit").action(() => {
    process.stdout.write(`${versionLine()}\n`);
  });
}
