import { expect, test } from "bun:test";
import { isTerminalReply, isTerminalReplyText } from "./terminal-replies.ts";

const bytes = (text: string) => Buffer.from(text, "latin1");

test.each([
  ["DA1", "\x1b[?1;2c"],
  ["DA2", "\x1b[>0;276;0c"],
  ["cursor position", "\x1b[12;40R"],
  ["status", "\x1b[0n"],
  ["background colour with BEL", "\x1b]11;rgb:1e1e/1e1e/1e1e\x07"],
  ["foreground colour with ST", "\x1b]10;rgb:ffff/ffff/ffff\x1b\\"],
  ["mode report", "\x1b[?2004;1$y"],
  ["XTVERSION", "\x1bP>|xterm.js(5.5.0)\x1b\\"],
  ["two answers in one frame", "\x1b[?1;2c\x1b[3;1R"],
])("recognizes %s as a reply", (_name, text) => {
  expect(isTerminalReply(bytes(text))).toBe(true);
});

test.each([
  ["typed text", "ls\r"],
  ["an arrow key", "\x1b[A"],
  ["Escape alone", "\x1b"],
  ["a reply followed by typing", "\x1b[0nls"],
  ["a bracketed paste", "\x1b[200~hi\x1b[201~"],
  ["nothing", ""],
])("does not take %s for a reply", (_name, text) => {
  expect(isTerminalReply(bytes(text))).toBe(false);
});

test("the text form agrees with the byte form", () => {
  expect(isTerminalReplyText("\x1b[?1;2c\x1b]11;rgb:fbfb/fbfb/fcfc\x1b\\")).toBe(true);
  expect(isTerminalReplyText("\x1b[A")).toBe(false);
  expect(isTerminalReplyText("")).toBe(false);
});
