import { expect, test } from "bun:test";
import { splitArgs } from "./args.ts";

test.each([
  ["", []],
  ["  --model  opus ", ["--model", "opus"]],
  [`--message "hello world" 'it''s'`, ["--message", "hello world", "its"]],
  [`a\\ b "x\\"y" ''`, ["a b", 'x"y', ""]],
  ["$HOME `id`", ["$HOME", "`id`"]],
])("splits %p like a shell, expanding nothing", (line, expected) => {
  expect(splitArgs(line)).toEqual(expected);
});
