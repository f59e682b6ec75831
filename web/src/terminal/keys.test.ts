import { expect, test } from "bun:test";
import { controlChar, ctrlVPastes, keySequence } from "./keys.ts";

test.each([
  ["esc", false, "\x1b"],
  ["tab", false, "\t"],
  ["enter", false, "\r"],
  ["ctrl-c", false, "\x03"],
  ["ctrl-d", false, "\x04"],
  ["page-up", false, "\x1b[5~"],
  ["page-down", true, "\x1b[6~"],
  ["up", false, "\x1b[A"],
  ["left", false, "\x1b[D"],
  ["up", true, "\x1bOA"],
  ["right", true, "\x1bOC"],
] as const)("the %s key sends the terminal's bytes (application cursor: %p)", (key, app, bytes) => {
  expect(keySequence(key, app)).toBe(bytes);
});

test.each([
  ["a", "\x01"],
  ["C", "\x03"],
  ["z", "\x1a"],
  ["[", "\x1b"],
  ["?", "\x7f"],
  [" ", "\x00"],
  ["1", "1"],
])("sticky Ctrl turns %p into its control character", (key, expected) => {
  expect(controlChar(key)).toBe(expected);
});

test.each([
  ["auto", false, true],
  ["auto", true, false],
  ["paste", false, true],
  ["paste", true, true],
  ["send", false, false],
  ["send", true, false],
] as const)("Ctrl+V in mode %p (alternate screen: %p) pastes: %p", (mode, alternate, pastes) => {
  expect(ctrlVPastes(mode, alternate)).toBe(pastes);
});
