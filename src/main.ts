// Entry point of `bun src/main.ts` and of the compiled binary: hands the command line and the
// environment (through config.ts, its only reader) to the CLI in src/cli/.

import { runCli } from "./cli/program.ts";
import { inheritableEnvironment, loadConfig } from "./config.ts";

const code = await runCli(process.argv.slice(2), {
  loadConfig: () => loadConfig(process.env),
  baseEnv: () => inheritableEnvironment(process.env),
});
// `serve` keeps running; every other command ends here, whatever handles a library left open.
if (code !== null) process.exit(code);
