// Splits the new-session dialog's "extra arguments" like a shell would split words: spaces
// separate, single and double quotes group, backslash escapes. Nothing is expanded. A quote
// left open is an error, not a word that runs to the end of the line.

export type ParsedArgs = { args: string[]; error: null } | { args: null; error: string };

export function parseArgs(line: string): ParsedArgs {
  const args: string[] = [];
  let current = "";
  let started = false;
  let quote: '"' | "'" | null = null;
  let quoteAt = 0;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === "\\" && quote === '"' && i + 1 < line.length) current += line[++i];
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      quoteAt = i;
      started = true;
    } else if (ch === "\\" && i + 1 < line.length) {
      current += line[++i];
      started = true;
    } else if (/\s/.test(ch)) {
      if (started) args.push(current);
      current = "";
      started = false;
    } else {
      current += ch;
      started = true;
    }
  }
  if (quote) {
    const which = quote === '"' ? "double" : "single";
    return {
      args: null,
      error: `The ${which} quote at character ${quoteAt + 1} is never closed: add a closing ${quote}.`,
    };
  }
  if (started) args.push(current);
  return { args, error: null };
}
