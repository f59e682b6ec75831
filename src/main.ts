// Entry point of `bun src/main.ts` and of the compiled binary: hands the command line and the
// environment (through config.ts, its only reader) to the CLI in src/cli/. `opendray hook`, run
// by a CLI's hooks on every event, loads only its own module: it must start fast.

export {};

const args = process.argv.slice(2);
if (args[0] === "hook" && !args.includes("--help") && !args.includes("-h")) {
  const { runHook } = await import("./attention/hook-client.ts");
  process.exit(await runHook(args.slice(1), process.env));
}

const { runCli } = await import("./cli/program.ts");
const { inheritableEnvironment, loadConfig } = await import("./config.ts");
const code = await runCli(args, {
  loadConfig: () => loadConfig(process.env),
  baseEnv: () => inheritableEnvironment(process.env),
});
// A failure ends the process, whatever a half-started server still holds open. Success does not
// call exit(): a serving command lives on, and every other one has closed what it opened.
if (code !== 0) process.exit(code);
