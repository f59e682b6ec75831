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
  | "ctrl-d"
  | "page-up"
  | "page-down";

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
    case "page-up":
      return "\x1b[5~";
    case "page-down":
      return "\x1b[6~";
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

/**
 * What Ctrl+V does in the terminal: "auto" pastes at a shell prompt (the normal screen buffer)
 * and sends ^V in full-screen programs (the alternate buffer: vim, nano, less, TUIs), "paste"
 * always pastes, "send" always sends ^V (0x16).
 */
export type CtrlVMode = "auto" | "paste" | "send";

export const CTRL_V_MODES: Record<CtrlVMode, string> = {
  auto: "paste outside full-screen programs",
  paste: "always paste",
  send: "always send ^V",
};

/** Whether Ctrl+V pastes (rather than sends ^V) in `mode`, given the buffer on screen. */
export function ctrlVPastes(mode: CtrlVMode, alternateScreen: boolean): boolean {
  return mode === "paste" || (mode === "auto" && !alternateScreen);
}
