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
