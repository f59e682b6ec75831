// The command line: one commander program whose subcommands live one per file in src/cli/.
// `opendray` alone runs `serve`. Errors end as one line `opendray: …` and an exit code.

import { Command, CommanderError } from "commander";
import { ConfigError } from "../config.ts";
import { versionLine } from "../version.ts";
import { type CliContext, CliError, USAGE_EXIT_CODE } from "./context.ts";
import { doctorCommand } from "./doctor.ts";
import { hookCommand } from "./hook.ts";
import { migrateCommand } from "./migrate.ts";
import { ptyHostCommand } from "./pty-host.ts";
import { serveCommand } from "./serve.ts";
import { userCommand } from "./user.ts";
import { versionCommand } from "./version.ts";

/** The program with every command; add a command here with one `addCommand` line. */
export function createProgram(ctx: CliContext): Command {
  const program = new Command("opendray")
    .description(
      "Run AI coding CLIs and shells in persistent terminal sessions, driven from a browser.",
    )
    .version(versionLine(), "-v, --version", "print the version and commit")
    .addCommand(serveCommand(ctx), { isDefault: true })
    .addCommand(migrateCommand(ctx))
    .addCommand(userCommand(ctx))
    .addCommand(doctorCommand(ctx))
    .addCommand(ptyHostCommand(ctx))
    .addCommand(hookCommand())
    .addCommand(versionCommand());
  forEachCommand(program, (command) =>
    command
      .showHelpAfterError("(add --help for usage)")
      // Throw instead of exiting, so that runCli decides exit codes in one place.
      .exitOverride(),
  );
  return program;
}

/**
 * Runs the command line `args` (without the executable) and returns its exit code. A command
 * that serves (serve) resolves once it is up; its open server keeps the process alive.
 */
export async function runCli(args: string[], ctx: CliContext): Promise<number> {
  try {
    const program = createProgram(ctx);
    // Without this, `opendray bogus` would reach the default command as an argument and fail
    // with "too many arguments for 'serve'".
    const [first] = args;
    const names = program.commands.flatMap((command) => [command.name(), ...command.aliases()]);
    if (first !== undefined && !first.startsWith("-") && ![...names, "help"].includes(first)) {
      return report(`unknown command '${first}' (see opendray --help)`, USAGE_EXIT_CODE);
    }
    await program.parseAsync(args, { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version "fail" with code 0; usage errors were printed by commander already.
      return error.exitCode === 0 ? 0 : USAGE_EXIT_CODE;
    }
    if (error instanceof ConfigError) return report(error.message, USAGE_EXIT_CODE);
    if (error instanceof CliError) return report(error.message, error.exitCode);
    return report(error instanceof Error ? error.message : String(error), 1);
  }
}

function report(message: string, code: number): number {
  process.stderr.write(`opendray: ${message}\n`);
  return code;
}

function forEachCommand(command: Command, visit: (command: Command) => void): void {
  visit(command);
  for (const child of command.commands) forEachCommand(child, visit);
}
