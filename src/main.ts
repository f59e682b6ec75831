// Entry point of `bun src/main.ts` and of the compiled binary: hands the command line and the
// environment (through config.ts, its only reader) to the CLI in src/cli/.

import { runCli } from "./cli/program.ts";
import { inheritableEnvironment, loadConfig } from "./config.ts";

const code = await runCli(process.argv.slice(2), {
  loadConfig: () => loadConfig(process.env),
  baseEnv: () => inheritableEnvironment(process.env),
});
// A failure ends the process, whatever a half-started server still holds open. Success does not
// call exit(): a serving command lives on, and every other one has closed what it opened.
if (code !== 0) process.exit(code);
