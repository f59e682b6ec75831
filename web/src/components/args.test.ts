import { expect, test } from "bun:test";
import { parseArgs } from "./args.ts";

test.each([
  ["", []],
  ["  --model  opus ", ["--model", "opus"]],
  [`--message "hello world" 'it''s'`, ["--message", "hello world", "its"]],
  [`a\\ b "x\\"y" ''`, ["a b", 'x"y', ""]],
  ["$HOME `id`", ["$HOME", "`id`"]],
  [`"it's" 'say "hi"'`, ["it's", 'say "hi"']],
  [`\\"`, ['"']],
])("splits %p like a shell, expanding nothing", (line, expected) => {
  expect(parseArgs(line)).toEqual({ args: expected, error: null });
});

test.each([
  [`--message "hello`, "double", 11],
  [`--name 'it`, "single", 8],
  [`"a" "b`, "double", 5],
  [`"x\\"`, "double", 1],
])("an unterminated quote in %p is an error naming it", (line, which, at) => {
  const parsed = parseArgs(line);
  expect(parsed.args).toBeNull();
  expect(parsed.error).toContain(`${which} quote at character ${at}`);
});
