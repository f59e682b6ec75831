// A real Codex CLI asks for approval, and is answered through OpenDray: the Responses API
// stand-in (test/support/openai-api.ts, a custom model provider given with `-c`) replies with an
// exec_command call asking to run outside the sandbox, Codex draws "Would you like to run the
// following command?", and the screen makes the session `waiting` with the question and the
// numbered options; answering "Yes, proceed" runs the command, and the end of the turn, told by
// Codex's notify program (the real `opendray hook`), makes it `done`. The task-title turn Codex
// runs on its own alongside the first one notifies too, and is no `done`. A next turn, typed
// after that, is `working` until its notify makes it `done` again.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Activity } from "../src/protocol/attention.ts";
import type { LifecycleEvent } from "../src/protocol/events.ts";
import { sessionSchema } from "../src/protocol/session.ts";
import { functionOutputs, type OpenAiApi, startOpenAiApi } from "./support/openai-api.ts";
import { processesUnder, stopProcess } from "./support/process.ts";
import { INSTALL_TIMEOUT_MS, realCliBin } from "./support/real-clis.ts";
import { bodyOf, errorOf } from "./support/responses.ts";
import { Screen } from "./support/screen.ts";
import { eventually, startTestServer, type TestServer } from "./support/server.ts";
import { EventsClient, eventsUrl, StreamClient, streamUrl } from "./support/ws-client.ts";

const SIZE = { cols: 100, rows: 30 };
/** The variable the stand-in's key reaches Codex in (the provider's `env_key`). */
const KEY_ENV = "STAND_IN_OPENAI_KEY";
/** Codex's empty composer, with its placeholder. */
const COMPOSER = /^› Ask Codex to do anything *$/m;

const dir = mkdtempSync(join(tmpdir(), "opendray-codex-"));
/** Codex's own folder (config, sessions, logs, sqlite state): inside `dir`, never ~/.codex. */
const codexHome = join(dir, "codex-home");
const cwd = join(dir, "project");
let api: OpenAiApi;
let server: TestServer;
let events: EventsClient;

beforeAll(async () => {
  const home = join(dir, "home");
  const bin = join(dir, "bin");
  for (const folder of [home, bin, codexHome, cwd]) mkdirSync(folder);
  // Only Codex on PATH: the server then probes no other CLI.
  symlinkSync(join(await realCliBin(), "codex"), join(bin, "codex"));
  // What someone who has used Codex here before has: the folder trusted, no update check.
  writeFileSync(
    join(codexHome, "config.toml"),
    `check_for_update_on_startup = false\n\n[projects.${JSON.stringify(cwd)}]\ntrust_level = "trusted"\n`,
  );
  api = startOpenAiApi();
  server = await startTestServer({
    baseEnv: { PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`, HOME: home },
  });
  events = await EventsClient.connect(eventsUrl(server.api), server.auth);
}, INSTALL_TIMEOUT_MS + 60_000);

afterAll(async () => {
  events?.close();
  await server?.dispose();
  await api?.stop();
  // A daemon Codex may start for itself leaves the session's process group.
  await Promise.all(processesUnder(dir).map((pid) => stopProcess(pid)));
  rmSync(dir, { recursive: true, force: true });
});

/** POST /sessions body: Codex against the stand-in, asking before it leaves its sandbox. */
function spawnBody(): Record<string, unknown> {
  const provider = `{ name = "Stand-in", base_url = "${api.url}", env_key = "${KEY_ENV}", wire_api = "responses" }`;
  return {
    provider: "codex",
    cwd,
    ...SIZE,
    model: "test-model",
    args: [
      "-c",
      'model_provider="stand-in"',
      "-c",
      `model_providers.stand-in=${provider}`,
      "-c",
      'approval_policy="on-request"',
    ],
    env: { CODEX_HOME: codexHome, [KEY_ENV]: api.key },
  };
}

const activityOf = (event: LifecycleEvent) => event.session.activity as Activity | undefined;

const encode = (text: string) => new TextEncoder().encode(text);

test("Codex's approval prompt is waiting with its options, and its Yes runs the command", async () => {
  const created = await server.request("POST", "/sessions", spawnBody());
  const id = bodyOf(created, 201, sessionSchema).id;
  const client = await StreamClient.connect(streamUrl(server.api, id, 0), server.auth);
  const screen = new Screen(client, SIZE);
  try {
    await screen.waitFor(COMPOSER, 30_000);
    const target = join(cwd, "made-by-codex");
    const callId = api.replyFunctionCall({
      name: "exec_command",
      arguments: {
        cmd: "touch made-by-codex",
        sandbox_permissions: "require_escalated",
        justification: "Create the file made-by-codex",
      },
    });
    api.reply("The file is there now.");
    // The text first, and Enter once it shows: sent together, Enter would be part of a paste.
    client.send(encode("make the file"));
    await screen.waitFor(/^› make the file *$/m, 10_000);
    client.send(encode("\r"));

    const waiting = await events
      .waitFor(
        "session.activity",
        id,
        (event) => (activityOf(event)?.prompt?.options.length ?? 0) >= 2,
        30_000,
      )
      .catch(async (error) => {
        throw new Error(`${error.message}\nscreen:\n${await screen.text()}`);
      });
    const activity = activityOf(waiting) as Activity;
    expect(activity.state).toBe("waiting");
    // Codex's notify tells only of turns ending: the screen gave the question and the options.
    expect(activity.source).toBe("screen");
    const prompt = activity.prompt;
    if (!prompt) throw new Error("no prompt");
    expect(prompt.text).toBe("Would you like to run the following command?");
    expect(prompt.options).toEqual([
      { label: "Yes, proceed" },
      { label: "Yes, and don't ask again for commands that start with `touch made-by-codex`" },
      { label: "No, and tell Codex what to do differently" },
    ]);
    expect(existsSync(target)).toBe(false);

    const seen = events.events.length;
    const answered = await server.request("POST", `/sessions/${id}/answer`, {
      fingerprint: prompt.fingerprint,
      option: 0,
    });
    expect(answered.status).toBe(200);
    await eventually(() => (existsSync(target) ? true : undefined), "the file", 30_000);
    // Codex ran it and sent the model its output.
    const followUp = await api.waitForRequest(
      (request) => functionOutputs(request.body).some((output) => output.callId === callId),
      30_000,
    );
    expect(followUp.main).toBe(true);
    // Then the turn ends: done, said by the notify program.
    await events.waitFor(
      "session.activity",
      id,
      (event) => events.events.indexOf(event) >= seen && activityOf(event)?.state === "done",
      30_000,
    );
    const after = events.activities(id, seen).map(({ state, source }) => `${state}/${source}`);
    expect(after[0]).toMatch(/^working\//);
    expect(after.at(-1)).toBe("done/hook");
    expect(after).not.toContain("waiting/screen");
    await screen.waitFor(/The file is there now\./, 30_000);
    // The title turn Codex ran beside it (a side request) notified too, and was no `done`: the
    // session was done once, at the end.
    expect(api.requests.some((request) => !request.main)).toBe(true);
    expect(events.activities(id).filter(({ state }) => state === "done")).toHaveLength(1);

    // The same answer again: that prompt is gone; nothing is typed.
    const again = await server.request("POST", `/sessions/${id}/answer`, {
      fingerprint: prompt.fingerprint,
      option: 0,
    });
    expect(errorOf(again, 409).code).toBe("prompt_changed");
    await screen.waitFor(COMPOSER, 10_000);

    // A next turn without a prompt: Codex's notify says nothing when it starts, so what is
    // typed after a finished turn makes the session working; its end makes it done again.
    const before = events.events.length;
    api.reply("Nothing to run this time.");
    client.send(encode("say something"));
    await screen.waitFor(/^› say something *$/m, 10_000);
    client.send(encode("\r"));
    await events.waitFor(
      "session.activity",
      id,
      (event) => events.events.indexOf(event) >= before && activityOf(event)?.state === "done",
      30_000,
    );
    const second = events.activities(id, before).map(({ state }) => state);
    expect(second[0]).toBe("working");
    expect(second.at(-1)).toBe("done");
    await screen.waitFor(/Nothing to run this time\./, 30_000);
  } finally {
    screen.dispose();
    client.close();
    await server.request("DELETE", `/sessions/${id}`);
  }
}, 120_000);
