// Words back into the one line the argument fields edit: the inverse of parseArgs (args.ts).

/** `args` joined by spaces, each word single-quoted where splitting would otherwise change it. */
export function joinArgs(args: readonly string[]): string {
  return args
    .map((arg) => (/^[^\s"'\\]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'"'"'`)}'`))
    .join(" ");
}
