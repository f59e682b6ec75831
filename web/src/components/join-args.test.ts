import { expect, test } from "bun:test";
import { parseArgs } from "./args.ts";
import { joinArgs } from "./join-args.ts";

test.each([
  [[]],
  [["--model", "opus"]],
  [["hello world", "it's", 'x"y', "a\\b", "", "$HOME", "tab\there"]],
])("joinArgs(%p) parses back into the same words", (args) => {
  expect(parseArgs(joinArgs(args))).toEqual({ args, error: null });
});

test("plain words stay unquoted", () => {
  expect(joinArgs(["--add-dir", "/srv/code"])).toBe("--add-dir /srv/code");
});
