// A real Gemini CLI asks for approval, and is answered through OpenDray: the Gemini API stand-in
// (test/support/gemini-api.ts, reached through GOOGLE_GEMINI_BASE_URL) replies with a
// run_shell_command call, Gemini CLI draws "Allow execution of [Shell]?", and the screen makes
// the session `waiting` with the question and the numbered options; answering "Allow once" runs
// the command, and the silence after the reply makes the session `quiet`. Gemini CLI 0.61.0 gets
// no hooks from OpenDray: it takes hooks only from settings files, and the ones a session could
// be pointed at (GEMINI_CLI_SYSTEM_SETTINGS_PATH, GEMINI_CLI_SYSTEM_DEFAULTS_PATH) are read only
// when they and every folder above them belong to root.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findPrompt } from "../src/attention/screen-prompt.ts";
import type { Activity } from "../src/protocol/attention.ts";
import type { LifecycleEvent } from "../src/protocol/events.ts";
import { sessionSchema } from "../src/protocol/session.ts";
import { BUILTIN_MANIFESTS } from "../src/providers/builtin.ts";
import { functionResponses, type GeminiApi, startGeminiApi } from "./support/gemini-api.ts";
import { INSTALL_TIMEOUT_MS, realCliBin } from "./support/real-clis.ts";
import { bodyOf, errorOf } from "./support/responses.ts";
import { Screen } from "./support/screen.ts";
import { eventually, startTestServer, type TestServer } from "./support/server.ts";
import { EventsClient, eventsUrl, StreamClient, streamUrl } from "./support/ws-client.ts";

const SIZE = { cols: 100, rows: 30 };
/** Gemini CLI's empty prompt, with its placeholder. */
const COMPOSER = /^ > {3}Type your message or @path\/to\/file *$/m;
/** No output for this long makes a session quiet (short: the test waits for it). */
const IDLE_AFTER = "3s";

const dir = mkdtempSync(join(tmpdir(), "opendray-gemini-"));
const cwd = join(dir, "project");
let api: GeminiApi;
let server: TestServer;
let events: EventsClient;

beforeAll(async () => {
  const home = join(dir, "home");
  const bin = join(dir, "bin");
  for (const folder of [join(home, ".gemini"), bin, cwd]) mkdirSync(folder, { recursive: true });
  // Only Gemini CLI on PATH: the server then probes no other CLI.
  symlinkSync(join(await realCliBin(), "gemini"), join(bin, "gemini"));
  // What someone who has used Gemini CLI here before has: the API key chosen as the way to
  // sign in, and this folder trusted. Without them, an auth choice and a trust question come first.
  writeFileSync(
    join(home, ".gemini", "settings.json"),
    JSON.stringify({ security: { auth: { selectedType: "gemini-api-key" } } }),
  );
  writeFileSync(
    join(home, ".gemini", "trustedFolders.json"),
    JSON.stringify({ [cwd]: "TRUST_FOLDER" }),
  );
  api = startGeminiApi();
  server = await startTestServer({
    baseEnv: { PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`, HOME: home },
    env: { IDLE_AFTER },
  });
  events = await EventsClient.connect(eventsUrl(server.api), server.auth);
}, INSTALL_TIMEOUT_MS + 60_000);

afterAll(async () => {
  events?.close();
  await server?.dispose();
  await api?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const geminiPrompts = BUILTIN_MANIFESTS.find((m) => m.id === "gemini")?.attention.prompts ?? [];

/** A screen's text holding `lines`, the cursor on the last. */
const screenText = (lines: string[]) => ({
  offset: 100,
  lines,
  cursorRow: lines.length - 1,
  bracketedPaste: false,
});

// Gemini CLI 0.61.0's approval of a shell command at 60 columns, as its screen text reads (the
// prompt box above it cut to its text).
const GEMINI_APPROVAL = [
  " > make the file",
  "╭──────────────────────────────────────────────────────────╮",
  "│ ? Shell  touch made-by-gemini                            │",
  "│ ╭──────────────────────────────────────────────────────╮ │",
  "│ │ touch made-by-gemini                                 │ │",
  "│ ╰──────────────────────────────────────────────────────╯ │",
  "│ Allow execution of [Shell]?                              │",
  "│                                                          │",
  "│ ● 1. Allow once                                          │",
  "│   2. Allow for this session                              │",
  "│   3. No, suggest changes (esc)                           │",
  "╰──────────────────────────────────────────────────────────╯",
];

describe("Gemini CLI's prompt pattern", () => {
  test("reads its approval: the question in its border, each numbered option, (esc) left out", () => {
    expect(findPrompt(screenText(GEMINI_APPROVAL), geminiPrompts)).toEqual({
      text: "Allow execution of [Shell]?",
      options: [
        { label: "Allow once", keys: "1" },
        { label: "Allow for this session", keys: "2" },
        { label: "No, suggest changes", keys: "3" },
      ],
    });
  });

  test("reads its folder trust question, asked before anything else in a new folder", () => {
    const trust = [
      " ╭────────────────────────────────────────────────────────╮",
      " │                                                        │",
      " │ Do you trust the files in this folder?                 │",
      " │                                                        │",
      " │ Trusting a folder allows Gemini CLI to load its local  │",
      " │ configurations, including custom commands, hooks, MCP  │",
      " │ servers, agent skills, and settings. These             │",
      " │ configurations could execute code on your behalf or    │",
      " │ change the behavior of the CLI.                        │",
      " │                                                        │",
      " │                                                        │",
      " │ ● 1. Trust folder (project)                            │",
      " │   2. Trust parent folder (work)                        │",
      " │   3. Don't trust                                       │",
      " │                                                        │",
      " ╰────────────────────────────────────────────────────────╯",
    ];
    expect(findPrompt(screenText(trust), geminiPrompts)?.options).toEqual([
      { label: "Trust folder (project)", keys: "1" },
      { label: "Trust parent folder (work)", keys: "2" },
      { label: "Don't trust", keys: "3" },
    ]);
  });

  test("a question in its reply, with a numbered list under it, is no prompt", () => {
    const reply = [
      "✦ Here is the plan.",
      "",
      "  Do you want to proceed?",
      "  1. Allow once",
      "  2. Stop",
      "",
      " >   Type your message or @path/to/file",
    ];
    expect(findPrompt(screenText(reply), geminiPrompts)).toBeUndefined();
  });
});

const activityOf = (event: LifecycleEvent) => event.session.activity as Activity | undefined;

test("Gemini CLI's approval is waiting with its options, and its Allow once runs the command", async () => {
  const target = join(cwd, "made-by-gemini");
  const callId = api.replyFunctionCall({
    name: "run_shell_command",
    args: { command: "touch made-by-gemini", description: "Create the file made-by-gemini" },
  });
  api.reply("The file is there now.");
  // The instruction is given with -i (run it, then stay interactive): typed, its Enter would
  // have to come more than 40 ms after the text, or Gemini CLI takes it for a pasted newline.
  const created = await server.request("POST", "/sessions", {
    provider: "gemini",
    cwd,
    ...SIZE,
    args: ["-i", "make the file"],
    env: { GEMINI_API_KEY: api.key, GOOGLE_GEMINI_BASE_URL: api.url },
  });
  const id = bodyOf(created, 201, sessionSchema).id;
  const client = await StreamClient.connect(streamUrl(server.api, id, 0), server.auth);
  const screen = new Screen(client, SIZE);
  try {
    const waiting = await events
      .waitFor(
        "session.activity",
        id,
        (event) => (activityOf(event)?.prompt?.options.length ?? 0) >= 2,
        60_000,
      )
      .catch(async (error) => {
        throw new Error(`${error.message}\nscreen:\n${await screen.text()}`);
      });
    const activity = activityOf(waiting) as Activity;
    expect(activity.state).toBe("waiting");
    expect(activity.source).toBe("screen");
    const prompt = activity.prompt;
    if (!prompt) throw new Error("no prompt");
    // The line as it reads, inside the dialog's border.
    expect(prompt.text).toBe("Allow execution of [Shell]?");
    expect(prompt.options).toEqual([
      { label: "Allow once" },
      { label: "Allow for this session" },
      { label: "No, suggest changes" },
    ]);
    expect(existsSync(target)).toBe(false);

    const seen = events.events.length;
    const answered = await server.request("POST", `/sessions/${id}/answer`, {
      fingerprint: prompt.fingerprint,
      option: 0,
    });
    expect(answered.status).toBe(200);
    await eventually(() => (existsSync(target) ? true : undefined), "the file", 30_000);
    // Gemini CLI ran it and sent the model its output.
    const followUp = await api.waitForRequest(
      (request) => functionResponses(request.body).some((response) => response.id === callId),
      30_000,
    );
    expect(followUp.main).toBe(true);
    await screen.waitFor(/The file is there now\./, 30_000);
    // Then nothing more comes: quiet, told by the silence.
    await events.waitFor(
      "session.activity",
      id,
      (event) => events.events.indexOf(event) >= seen && activityOf(event)?.state === "quiet",
      30_000,
    );
    const after = events.activities(id, seen).map(({ state, source }) => `${state}/${source}`);
    expect(after[0]).toBe("working/output");
    expect(after.at(-1)).toBe("quiet/silence");
    expect(after).not.toContain("waiting/screen");

    // The same answer again: that prompt is gone; nothing is typed.
    const again = await server.request("POST", `/sessions/${id}/answer`, {
      fingerprint: prompt.fingerprint,
      option: 0,
    });
    expect(errorOf(again, 409).code).toBe("prompt_changed");
    await screen.waitFor(COMPOSER, 10_000);
  } finally {
    screen.dispose();
    client.close();
    await server.request("DELETE", `/sessions/${id}`);
  }
}, 150_000);
