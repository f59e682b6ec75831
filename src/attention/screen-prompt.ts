// Finding a question a program waits on in the text of its screen, by the prompt patterns of its
// provider manifest (`attention.prompts`). Pure: the tracker (tracker.ts) decides when to look.

import type { PromptPattern } from "../providers/manifest.ts";
import type { ScreenText } from "../sessions/screen.ts";

/** A prompt as found on the screen, with what typing each option means. */
export interface FoundPrompt {
  text: string;
  options: { label: string; keys: string }[];
}

/** The borders a TUI draws around a dialog (Gemini CLI's `│`): not part of the question. */
const BORDERS = /^[\s│┃║]+|[\s│┃║]+$/gu;

const compiled = new WeakMap<PromptPattern, { question: RegExp; option?: RegExp }>();

function regexes(pattern: PromptPattern): { question: RegExp; option?: RegExp } {
  let found = compiled.get(pattern);
  if (!found) {
    found = {
      question: new RegExp(pattern.question, "u"),
      ...(pattern.option ? { option: new RegExp(pattern.option, "u") } : {}),
    };
    compiled.set(pattern, found);
  }
  return found;
}

/**
 * The first pattern whose question is on one of the last `within` lines of the screen's text
 * (counted up from the cursor's row, or from the last line with text when that is lower: a
 * full-screen program parks its cursor anywhere), with its options. A pattern that reads its
 * options from the screen and finds none there does not match.
 */
export function findPrompt(
  screen: ScreenText,
  patterns: readonly PromptPattern[],
): FoundPrompt | undefined {
  const { lines } = screen;
  let end = Math.min(screen.cursorRow, lines.length - 1);
  for (let row = lines.length - 1; row > end; row--) {
    if (lines[row]?.trim()) {
      end = row;
      break;
    }
  }
  for (const pattern of patterns) {
    const { question, option } = regexes(pattern);
    // The lowest matching line: a question drawn again below an old one is the live one.
    for (let row = end; row >= 0 && row > end - pattern.within; row--) {
      const line = lines[row] ?? "";
      if (!question.test(line)) continue;
      const text = line.replace(BORDERS, "");
      if (pattern.options) {
        return { text, options: pattern.options.map(({ label, keys }) => ({ label, keys })) };
      }
      const options: FoundPrompt["options"] = [];
      for (const below of lines.slice(row + 1, end + 1)) {
        const groups = option?.exec(below)?.groups;
        if (!groups?.key || !groups.label) continue;
        options.push({
          label: groups.label.trim(),
          keys: pattern.keys.replaceAll("{key}", groups.key),
        });
      }
      if (options.length > 0) return { text, options };
    }
  }
  return undefined;
}
