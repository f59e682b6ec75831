import { expect, test } from "bun:test";
import { shortcutOf } from "./shortcuts.ts";

const press = (key: string, code: string, mods: Partial<Record<string, boolean>> = {}) => ({
  key,
  code,
  ctrlKey: mods.ctrl ?? false,
  shiftKey: mods.shift ?? false,
  altKey: mods.alt ?? false,
  metaKey: mods.meta ?? false,
});

test.each([
  [
    "Ctrl+Shift+K in the terminal",
    press("K", "KeyK", { ctrl: true, shift: true }),
    true,
    "palette",
  ],
  ["Ctrl+K outside the terminal", press("k", "KeyK", { ctrl: true }), false, "palette"],
  ["Ctrl+K in the terminal (kill-line)", press("k", "KeyK", { ctrl: true }), true, null],
  ["⌘K", press("k", "KeyK", { meta: true }), true, "palette"],
  [
    "Ctrl+Shift+K on a Cyrillic layout",
    press("Л", "KeyK", { ctrl: true, shift: true }),
    true,
    "palette",
  ],
  ["Ctrl+Shift+F6", press("F6", "F6", { ctrl: true, shift: true }), true, "leave-terminal"],
  ["F6 alone (the program's)", press("F6", "F6"), true, null],
  ["Ctrl+Shift+O", press("O", "KeyO", { ctrl: true, shift: true }), true, "new-session"],
  ["Ctrl+Shift+]", press("}", "BracketRight", { ctrl: true, shift: true }), true, "next-tab"],
  ["Ctrl+Shift+[", press("{", "BracketLeft", { ctrl: true, shift: true }), true, "previous-tab"],
  ["Ctrl+Shift+L", press("L", "KeyL", { ctrl: true, shift: true }), true, "session-list"],
  ["Ctrl+Alt+Shift+L", press("L", "KeyL", { ctrl: true, shift: true, alt: true }), true, null],
  ["Ctrl+L (clear screen)", press("l", "KeyL", { ctrl: true }), true, null],
] as const)("%s is %p", (_name, event, inTerminal, command) => {
  expect(shortcutOf(event, inTerminal)).toBe(command);
});
