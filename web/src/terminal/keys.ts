// Byte sequences of the phone key bar's keys, as xterm would send them from a keyboard.
export type BarKey =
  | "esc"
  | "tab"
  | "enter"
  | "up"
  | "down"
  | "left"
  | "right"
  | "ctrl-c"
  | "ctrl-d";

const CURSOR: Record<"up" | "down" | "right" | "left", string> = {
  up: "A",
  down: "B",
  right: "C",
  left: "D",
};

/** The bytes for `key`; arrows follow the program's cursor-key mode (DECCKM). */
export function keySequence(key: BarKey, applicationCursor: boolean): string {
  switch (key) {
    case "esc":
      return "\x1b";
    case "tab":
      return "\t";
    case "enter":
      return "\r";
    case "ctrl-c":
      return "\x03";
    case "ctrl-d":
      return "\x04";
    default:
      return `${applicationCursor ? "\x1bO" : "\x1b["}${CURSOR[key]}`;
  }
}

/** The control character of a key: a → ^A (0x01), [ → ESC, ? → DEL; others unchanged. */
export function controlChar(key: string): string {
  const code = key.toUpperCase().charCodeAt(0);
  if (code >= 64 && code <= 95) return String.fromCharCode(code - 64);
  if (key === "?") return "\x7f";
  if (key === " ") return "\x00";
  return key;
}
