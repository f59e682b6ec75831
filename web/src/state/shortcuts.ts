// The app's keyboard shortcuts, one table read by the key handler, the command palette and the
// README. Inside a terminal only chords a program cannot tell apart from keys it gets anyway are
// taken: xterm sends Ctrl+letter's byte for Ctrl+Shift+letter, so Ctrl+Shift+K costs programs
// nothing. The browser keeps Ctrl+T, Ctrl+W, Ctrl+N, Ctrl+Tab and Ctrl+Shift+N/T/W for itself.

export type ShortcutCommand =
  | "palette"
  | "leave-terminal"
  | "new-session"
  | "next-tab"
  | "previous-tab"
  | "session-list";

/** A key with its modifiers; `key` is a lower-case letter or a KeyboardEvent.code ("F6"). */
interface Chord {
  key: string;
  ctrl?: boolean;
  shift?: boolean;
  meta?: boolean;
  /** Only while the focus is outside the terminal (the program needs the chord). */
  outsideTerminal?: boolean;
}

export interface Shortcut {
  command: ShortcutCommand;
  /** What it does, as the palette and the README say it. */
  label: string;
  /** The chords, as shown to people. */
  keys: string;
  chords: readonly Chord[];
}

/** The shortcut of Ctrl+Shift+`key` alone, shown to people as Ctrl+Shift+`shown`. */
function ctrlShift(command: ShortcutCommand, label: string, key: string, shown: string): Shortcut {
  return {
    command,
    label,
    keys: `Ctrl+Shift+${shown}`,
    chords: [{ key, ctrl: true, shift: true }],
  };
}

export const SHORTCUTS: readonly Shortcut[] = [
  {
    command: "palette",
    label: "Command palette",
    keys: "Ctrl+Shift+K (Ctrl+K outside the terminal, ⌘K on macOS)",
    chords: [
      { key: "k", ctrl: true, shift: true },
      { key: "k", meta: true },
      { key: "k", ctrl: true, outsideTerminal: true },
    ],
  },
  ctrlShift("leave-terminal", "Leave the terminal (focus its tab)", "F6", "F6"),
  ctrlShift("new-session", "New session", "o", "O"),
  ctrlShift("next-tab", "Next tab", "BracketRight", "]"),
  ctrlShift("previous-tab", "Previous tab", "BracketLeft", "["),
  ctrlShift("session-list", "Session list", "l", "L"),
];

type KeyEventLike = Pick<
  KeyboardEvent,
  "key" | "code" | "ctrlKey" | "shiftKey" | "altKey" | "metaKey"
>;

/**
 * The key of `event` as chords name it: the letter typed (so Ctrl+Shift+K follows the layout),
 * the physical key's letter where the layout types no Latin letter, else the code.
 */
function keyOf(event: KeyEventLike): string {
  if (/^[a-z]$/i.test(event.key)) return event.key.toLowerCase();
  const letter = /^Key([A-Z])$/.exec(event.code);
  return letter?.[1] ? letter[1].toLowerCase() : event.code;
}

/** The command `event` is the shortcut of, or null; `inTerminal`: the focus is in a terminal. */
export function shortcutOf(event: KeyEventLike, inTerminal: boolean): ShortcutCommand | null {
  if (event.altKey) return null;
  const key = keyOf(event);
  for (const shortcut of SHORTCUTS) {
    for (const chord of shortcut.chords) {
      if (chord.key !== key || (chord.outsideTerminal && inTerminal)) continue;
      if (event.ctrlKey !== (chord.ctrl ?? false) || event.shiftKey !== (chord.shift ?? false)) {
        continue;
      }
      if (event.metaKey === (chord.meta ?? false)) return shortcut.command;
    }
  }
  return null;
}

/** The chords of `command`, as shown to people. */
export const shortcutKeys = (command: ShortcutCommand): string =>
  SHORTCUTS.find((s) => s.command === command)?.keys ?? "";
