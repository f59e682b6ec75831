import { describe, expect, test } from "bun:test";
import { BUILTIN_MANIFESTS } from "../providers/builtin.ts";
import type { ScreenText } from "../sessions/screen.ts";
import { findPrompt } from "./screen-prompt.ts";

const patternsOf = (id: string) => {
  const manifest = BUILTIN_MANIFESTS.find((m) => m.id === id);
  if (!manifest) throw new Error(`no manifest ${id}`);
  return manifest.attention.prompts;
};

/** A screen of `rows` lines holding `lines` from the top, the cursor on `cursorRow`. */
function screen(lines: string[], cursorRow: number, rows = 24): ScreenText {
  return {
    offset: 100,
    lines: [...lines, ...Array(Math.max(0, rows - lines.length)).fill("")],
    cursorRow,
    bracketedPaste: false,
  };
}

// Claude Code 2.1.197's permission dialog, as its screen text reads.
const CLAUDE_DIALOG = [
  "● Bash(touch /tmp/project/made-by-claude)",
  "",
  "────────────────────────────────────────",
  " Bash command",
  "",
  "   touch /tmp/project/made-by-claude",
  "   Create the file made-by-claude",
  "",
  " Do you want to proceed?",
  " ❯ 1. Yes",
  "   2. Yes, and don't ask again for touch commands in /tmp/project",
  "   3. No, and tell Claude what to do differently (esc)",
  "",
  " Esc to cancel · Tab to amend",
];

// Codex CLI 0.169.0's approval of a command, as its screen text reads (the cursor on the last row).
const CODEX_APPROVAL = [
  "› make the file",
  "",
  "• Running touch made-by-codex",
  "",
  "  Would you like to run the following command?",
  "",
  "  Environment: local",
  "",
  "  Reason: Create the file made-by-codex",
  "",
  "  $ touch made-by-codex",
  "",
  "",
  "› 1. Yes, proceed (y)",
  "  2. Yes, and don't ask again for commands that start with `touch made-by-codex` (p)",
  "  3. No, and tell Codex what to do differently (esc)",
  "",
  "  Press enter to confirm or esc to cancel",
];

// OpenCode 1.18.33's permission dialog for a shell command, at the foot of its full-screen TUI,
// and the confirmation its "Allow always" asks for (the cursor parked at the top).
const OPENCODE_PERMISSION = [
  "  ┃  make the file",
  "  ┃",
  "     $ touch made-by-opencode",
  "     ▣  Build · Test model",
  "  ┃",
  "  ┃  △ Permission required",
  "  ┃    # Shell command",
  "  ┃",
  "  ┃  $ touch made-by-opencode",
  "  ┃",
  "  ┃",
  "  ┃   Allow once   Allow always   Reject             ctrl+f fullscreen  ⇆ select  enter confirm",
  "  ┃",
];
const OPENCODE_ALWAYS = [
  "  ┃  △ Always allow",
  "  ┃",
  "  ┃  This will allow the following patterns until OpenCode is restarted",
  "  ┃",
  "  ┃  - touch *",
  "  ┃",
  "  ┃",
  "  ┃   Confirm   Cancel                                                  ⇆ select  enter confirm",
  "  ┃",
];

describe("findPrompt", () => {
  test("reads Claude Code's menu: the question and each numbered option with its key", () => {
    expect(findPrompt(screen(CLAUDE_DIALOG, 13), patternsOf("claude"))).toEqual({
      text: "Do you want to proceed?",
      options: [
        { label: "Yes", keys: "1" },
        { label: "Yes, and don't ask again for touch commands in /tmp/project", keys: "2" },
        { label: "No, and tell Claude what to do differently (esc)", keys: "3" },
      ],
    });
  });

  test("a question without options below it is no prompt", () => {
    const text = screen(["● I wonder: Do you want to proceed?", "", "❯ "], 2);
    expect(findPrompt(text, patternsOf("claude"))).toBeUndefined();
  });

  test("a question scrolled out of reach of the cursor is no prompt", () => {
    const lines = [...CLAUDE_DIALOG, ...Array(16).fill("log line")];
    expect(findPrompt(screen(lines, lines.length - 1, 40), patternsOf("claude"))).toBeUndefined();
  });

  test("reads Codex's approval: the question and each numbered option, its shortcut left out", () => {
    expect(findPrompt(screen(CODEX_APPROVAL, 23), patternsOf("codex"))).toEqual({
      text: "Would you like to run the following command?",
      options: [
        { label: "Yes, proceed", keys: "1" },
        {
          label: "Yes, and don't ask again for commands that start with `touch made-by-codex`",
          keys: "2",
        },
        { label: "No, and tell Codex what to do differently", keys: "3" },
      ],
    });
  });

  test("a question in Codex's reply, with a numbered list under it, is no prompt", () => {
    const reply = [
      "• Would you like me to add tests?",
      "  1. Unit tests",
      "  2. An end-to-end test",
      "",
      "› Ask Codex to do anything",
    ];
    expect(findPrompt(screen(reply, 4), patternsOf("codex"))).toBeUndefined();
  });

  test("reads OpenCode's permission dialog: its options on one line, answered by keys", () => {
    const lines = [...Array(16).fill(""), ...OPENCODE_PERMISSION];
    expect(findPrompt(screen(lines, 0, 30), patternsOf("opencode"))).toEqual({
      text: "△ Permission required",
      options: [
        { label: "Allow once", keys: "\r" },
        { label: "Allow always", keys: "\u001b[C\r\r" },
        { label: "Reject", keys: "\u001b" },
      ],
    });
    const always = [...Array(20).fill(""), ...OPENCODE_ALWAYS];
    expect(findPrompt(screen(always, 0, 30), patternsOf("opencode"))).toEqual({
      text: "△ Always allow",
      options: [
        { label: "Confirm", keys: "\r" },
        { label: "Cancel", keys: "\u001b" },
      ],
    });
  });

  test("OpenCode's conversation naming a permission is no prompt", () => {
    const reply = ["  ┃  Why does it say Permission required?", "     ▣  Build · Test model"];
    expect(findPrompt(screen(reply, 0, 30), patternsOf("opencode"))).toBeUndefined();
  });

  test("a shell's [y/N] on the cursor's line is a prompt with fixed answers", () => {
    const text = screen(["$ ./deploy", "Delete the build folder? [y/N] "], 1);
    expect(findPrompt(text, patternsOf("shell"))).toEqual({
      text: "Delete the build folder? [y/N]",
      options: [
        { label: "Yes", keys: "y\r" },
        { label: "No", keys: "n\r" },
      ],
    });
  });

  test("a [y/N] already answered, or above the last line, is no prompt", () => {
    const answered = screen(["Delete the build folder? [y/N] y", "deleting…"], 2);
    expect(findPrompt(answered, patternsOf("shell"))).toBeUndefined();
    const above = screen(["Delete? [y/N]", "$ "], 1);
    expect(findPrompt(above, patternsOf("shell"))).toBeUndefined();
  });

  test("ssh's (yes/no/[fingerprint]) question is a prompt", () => {
    const text = screen(
      ["Are you sure you want to continue connecting (yes/no/[fingerprint])? "],
      0,
    );
    expect(findPrompt(text, patternsOf("shell"))?.options.map((o) => o.keys)).toEqual([
      "yes\r",
      "no\r",
    ]);
  });
});
