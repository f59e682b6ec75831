// The built-in provider manifests, imported statically so a compiled binary embeds them, and
// validated at import like any operator file: a broken built-in fails at start-up, not at spawn.

import claude from "./builtin/claude.json";
import codex from "./builtin/codex.json";
import gemini from "./builtin/gemini.json";
import opencode from "./builtin/opencode.json";
import shell from "./builtin/shell.json";
import { type ProviderManifest, parseManifest } from "./manifest.ts";

/** shell, claude, codex, gemini, opencode: deeply frozen, in display order. */
export const BUILTIN_MANIFESTS: readonly ProviderManifest[] = Object.freeze(
  (
    [
      ["shell.json", shell],
      ["claude.json", claude],
      ["codex.json", codex],
      ["gemini.json", gemini],
      ["opencode.json", opencode],
    ] as const
  ).map(([file, json]) => parseManifest(json, `builtin/${file}`)),
);
