// A real Claude Code (the pinned real CLI) set up as a person who has used it before has it,
// talking to the local Messages API stand-in (model-api.ts): its HOME, a trusted project folder,
// a PATH holding only it, and the spawn request of a session running it.

import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ModelApi } from "./model-api.ts";
import { realCliBin } from "./real-clis.ts";
import type { Screen } from "./screen.ts";
import type { StreamClient } from "./ws-client.ts";

export const API_KEY = "sk-ant-api03-opendray-stand-in-key-0123456789abcdefghijklmnop";

/**
 * Claude Code's prompt box, waiting for input: the `❯` prompt (then a no-break space) and nothing
 * typed, between two rules across the screen, with the shortcuts hint under it.
 */
export const PROMPT_BOX = /^─{20,}\n❯\u00a0 *\n─{20,}\n.*\? for shortcuts/m;

/** The prompt box holding `typed`. */
export const promptBoxWith = (typed: string) =>
  new RegExp(`^─{20,}\\n❯\u00a0${typed.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} *\\n─{20,}$`, "m");

export interface ClaudeFixture {
  /** HOME of the sessions: Claude Code's settings (.claude.json) live there. */
  home: string;
  /** The sessions' working folder, trusted in .claude.json. */
  cwd: string;
  /** PATH of the sessions: a folder holding only Claude Code, then the system's. */
  path: string;
  /** The body of POST /sessions for a Claude Code session against `api`. */
  spawnBody(api: ModelApi, size: { cols: number; rows: number }): Record<string, unknown>;
  remove(): void;
}

export async function createClaudeFixture(): Promise<ClaudeFixture> {
  const dir = mkdtempSync(join(tmpdir(), "opendray-claude-code-"));
  const home = join(dir, "home");
  const cwd = join(dir, "project");
  const bin = join(dir, "bin");
  // Only Claude Code on PATH: the server then probes no other CLI (a slow `gemini --version`
  // could outlive the test and write into its HOME after the cleanup).
  mkdirSync(bin);
  symlinkSync(join(await realCliBin(), "claude"), join(bin, "claude"));
  mkdirSync(home);
  mkdirSync(cwd);
  // What a person who has set Claude Code up before has: onboarding done, this folder trusted,
  // and the API key approved (Claude Code records the key's last 20 characters). Without it,
  // first-run screens (theme, key approval, folder trust) come before the prompt.
  writeFileSync(
    join(home, ".claude.json"),
    JSON.stringify({
      hasCompletedOnboarding: true,
      projects: { [cwd]: { hasTrustDialogAccepted: true } },
      customApiKeyResponses: { approved: [API_KEY.slice(-20)], rejected: [] },
    }),
  );
  return {
    home,
    cwd,
    path: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`,
    spawnBody: (api, size) => ({
      provider: "claude",
      cwd,
      ...size,
      env: {
        ANTHROPIC_BASE_URL: api.url,
        ANTHROPIC_API_KEY: API_KEY,
        // Offline, its npm update check fails anyway; off, no "Auto-updating…" comes and goes.
        DISABLE_AUTOUPDATER: "1",
      },
    }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

const encode = (text: string) => new TextEncoder().encode(text);

/**
 * Type `line` into Claude Code's prompt and submit it: the text first, and Enter once it shows
 * in the box (sent together, Enter would be part of a paste and not submit).
 */
export async function typeLine(client: StreamClient, screen: Screen, line: string) {
  client.send(encode(line));
  await screen.waitFor(promptBoxWith(line), 10_000);
  client.send(encode("\r"));
}
