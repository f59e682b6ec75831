// Reads a password for `opendray user add|passwd`: typed at a prompt without echo when stdin is
// a terminal (twice, to catch typos), else the whole of stdin (scripts: `… < file`).

import { CliError } from "./context.ts";

/** Ctrl-C, Ctrl-D, backspace/delete, and terminal escape sequences (arrow keys) at the prompt. */
const CTRL_C = "\u0003";
const CTRL_D = "\u0004";
const ERASE = new Set(["\u007f", "\b"]);
// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts the sequences to drop
const ESCAPE_SEQUENCE = /\u001b(?:\[[0-9;?]*[ -/]*[@-~]|.)/g;

/**
 * The new password: prompted for twice on a terminal (no echo), else read from stdin with one
 * trailing newline removed. Rejects with CliError when the two entries differ or stdin is empty.
 */
export async function readNewPassword(username: string): Promise<string> {
  if (!process.stdin.isTTY) return readPasswordFromStdin();
  const first = await promptHidden(`New password for ${username}: `);
  const second = await promptHidden("Repeat it: ");
  if (first !== second) throw new CliError("the two passwords differ; nothing was changed");
  return first;
}

async function readPasswordFromStdin(): Promise<string> {
  const text = (await new Response(Bun.stdin.stream()).text()).replace(/\r?\n$/, "");
  if (text === "") throw new CliError("no password on stdin (pipe one in, or run on a terminal)");
  if (/[\r\n]/.test(text)) throw new CliError("stdin holds more than one line; give one password");
  return text;
}

/** In raw mode nothing typed is echoed; the prompt goes to stderr, so stdout stays clean. */
function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  // Raw mode before the prompt: whatever is typed (or pasted) once it shows is not echoed.
  stdin.setRawMode(true);
  stdin.resume();
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let value = "";
    const finish = () => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString("utf8").replace(ESCAPE_SEQUENCE, "")) {
        if (ch === "\r" || ch === "\n") {
          finish();
          return resolve(value);
        }
        if (ch === CTRL_C || (ch === CTRL_D && value === "")) {
          finish();
          return reject(new CliError("cancelled; nothing was changed", 130));
        }
        if (ERASE.has(ch)) value = [...value].slice(0, -1).join("");
        else if (ch >= " ") value += ch;
      }
    };
    stdin.on("data", onData);
  });
}
