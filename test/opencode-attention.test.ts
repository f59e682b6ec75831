// A real OpenCode asks for permission, and is answered through OpenDray: the user's own OpenCode
// config (in a throwaway HOME) points it at the Chat Completions stand-in
// (test/support/openai-api.ts, an `@ai-sdk/openai-compatible` provider) and has bash ask first;
// the stand-in replies with a bash tool call, OpenCode draws "△ Permission required", and its
// `permission.asked` event, posted by OpenDray's plugin (src/attention/opencode-plugin.js, given
// in OPENCODE_CONFIG_CONTENT) together with the screen make the session `waiting` with the command
// and the options; "Allow once" runs the command and the plugin's `session.status` events make
// the turn `working`, then `done`. A next turn, without a prompt, is told the same way.

import { afterAll, beforeAll, expect, test } from "bun:test";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Activity } from "../src/protocol/attention.ts";
import type { LifecycleEvent } from "../src/protocol/events.ts";
import { sessionSchema } from "../src/protocol/session.ts";
import { functionOutputs, type OpenAiApi, startOpenAiApi } from "./support/openai-api.ts";
import { seedOpencodeConfig } from "./support/opencode.ts";
import { stopProcess, waitUntilGone } from "./support/process.ts";
import { INSTALL_TIMEOUT_MS, realCliBin } from "./support/real-clis.ts";
import { bodyOf, errorOf } from "./support/responses.ts";
import { Screen } from "./support/screen.ts";
import { eventually, startTestServer, type TestServer } from "./support/server.ts";
import { EventsClient, eventsUrl, StreamClient, streamUrl } from "./support/ws-client.ts";

const SIZE = { cols: 100, rows: 30 };
/** OpenCode's empty prompt box, with the version at the bottom right. */
const FIRST_SCREEN = /Ask anything[\s\S]*1\.18\.33/;

const dir = mkdtempSync(join(tmpdir(), "opendray-opencode-"));
const home = join(dir, "home");
const cwd = join(dir, "project");
let api: OpenAiApi;
let server: TestServer;
let events: EventsClient;

/** Pids of the processes working in `dir` (OpenCode and whatever it started there). */
function processesIn(folder: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const where = readlinkSync(`/proc/${name}/cwd`);
      if (where === folder || where.startsWith(`${folder}/`)) pids.push(Number(name));
    } catch {
      // Gone meanwhile, or not ours to look at.
    }
  }
  return pids;
}

beforeAll(async () => {
  const bin = join(dir, "bin");
  const config = join(home, ".config", "opencode");
  for (const folder of [bin, cwd, config]) mkdirSync(folder, { recursive: true });
  // Only OpenCode on PATH: the server then probes no other CLI.
  symlinkSync(join(await realCliBin(), "opencode"), join(bin, "opencode"));
  api = startOpenAiApi();
  // The user's own config: a provider of their own, and bash asking before it runs.
  writeFileSync(
    join(config, "opencode.json"),
    JSON.stringify({
      $schema: "https://opencode.ai/config.json",
      provider: {
        "stand-in": {
          npm: "@ai-sdk/openai-compatible",
          name: "Stand-in",
          options: { baseURL: api.url, apiKey: api.key },
          models: { "test-model": { name: "Test model" } },
        },
      },
      model: "stand-in/test-model",
      permission: { bash: "ask" },
      autoupdate: false,
      share: "disabled",
    }),
  );
  seedOpencodeConfig(config);
  server = await startTestServer({
    baseEnv: {
      PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`,
      HOME: home,
      // OpenCode's folders, inside `dir` even when the test runner has XDG variables set.
      XDG_CONFIG_HOME: join(home, ".config"),
      XDG_DATA_HOME: join(home, ".local", "share"),
      XDG_STATE_HOME: join(home, ".local", "state"),
      XDG_CACHE_HOME: join(home, ".cache"),
      OPENCODE_DISABLE_MODELS_FETCH: "1",
    },
  });
  events = await EventsClient.connect(eventsUrl(server.api), server.auth);
}, INSTALL_TIMEOUT_MS + 60_000);

afterAll(async () => {
  events?.close();
  await server?.dispose();
  await api?.stop();
  await Promise.all(processesIn(dir).map((pid) => stopProcess(pid)));
  rmSync(dir, { recursive: true, force: true });
});

const activityOf = (event: LifecycleEvent) => event.session.activity as Activity | undefined;

/** The first `state` the session announces after event number `after`. */
function nextState(id: string, state: Activity["state"], after: number) {
  return events.waitFor(
    "session.activity",
    id,
    (event) => events.events.indexOf(event) >= after && activityOf(event)?.state === state,
    30_000,
  );
}

const encode = (text: string) => new TextEncoder().encode(text);

test("OpenCode's permission prompt is waiting with the command, and its Allow once runs it", async () => {
  const created = await server.request("POST", "/sessions", { provider: "opencode", cwd, ...SIZE });
  const id = bodyOf(created, 201, sessionSchema).id;
  const client = await StreamClient.connect(streamUrl(server.api, id, 0), server.auth);
  const screen = new Screen(client, SIZE);
  try {
    await screen.waitFor(FIRST_SCREEN, 60_000);
    const target = join(cwd, "made-by-opencode");
    const callId = api.replyFunctionCall({
      name: "bash",
      arguments: { command: "touch made-by-opencode", description: "Create the file" },
    });
    api.reply("The file is there now.");
    // The text first, and Enter once it shows: sent together, Enter would be part of a paste.
    client.send(encode("make the file"));
    await screen.waitFor(/┃\s+make the file/, 10_000);
    client.send(encode("\r"));

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
    // The plugin told what it is about; the screen gave the question and the options.
    expect(activity.source).toBe("hook");
    const prompt = activity.prompt;
    if (!prompt) throw new Error("no prompt");
    expect(prompt.text).toBe("△ Permission required");
    expect(prompt.detail).toBe("touch made-by-opencode");
    expect(prompt.options).toEqual([
      { label: "Allow once" },
      { label: "Allow always" },
      { label: "Reject" },
    ]);
    expect(existsSync(target)).toBe(false);
    const opencode = processesIn(dir);
    expect(opencode.length).toBeGreaterThan(0);

    const seen = events.events.length;
    const answered = await server.request("POST", `/sessions/${id}/answer`, {
      fingerprint: prompt.fingerprint,
      option: 0,
    });
    expect(answered.status).toBe(200);
    await eventually(() => (existsSync(target) ? true : undefined), "the file", 30_000);
    // OpenCode ran it and sent the model its output.
    await api.waitForRequest(
      (request) => functionOutputs(request.body).some((output) => output.callId === callId),
      30_000,
    );
    // Then the turn ends: done, said by the plugin's session.status.
    await nextState(id, "done", seen);
    const after = events.activities(id, seen).map(({ state, source }) => `${state}/${source}`);
    expect(after[0]).toBe("working/hook");
    expect(after.at(-1)).toBe("done/hook");
    expect(after.filter((entry) => entry.startsWith("waiting"))).toEqual([]);
    await screen.waitFor(/The file is there now\./, 30_000);

    // The same answer again: that prompt is gone; nothing is typed.
    const again = await server.request("POST", `/sessions/${id}/answer`, {
      fingerprint: prompt.fingerprint,
      option: 0,
    });
    expect(errorOf(again, 409).code).toBe("prompt_changed");

    // A next turn without a prompt: the plugin says when it starts and when it ends.
    const before = events.events.length;
    api.reply("Nothing to run this time.");
    client.send(encode("say something"));
    await screen.waitFor(/┃\s+say something/, 10_000);
    client.send(encode("\r"));
    await nextState(id, "done", before);
    const second = events.activities(id, before).map(({ state, source }) => `${state}/${source}`);
    expect(second).toEqual(["working/hook", "done/hook"]);
    await screen.waitFor(/Nothing to run this time\./, 30_000);

    // Ending the session ends OpenCode and everything it started.
    expect((await server.request("DELETE", `/sessions/${id}`)).status).toBe(204);
    for (const pid of opencode) expect(await waitUntilGone(pid, 10_000)).toBe(true);
    expect(processesIn(dir)).toEqual([]);
  } finally {
    screen.dispose();
    client.close();
    await server.request("DELETE", `/sessions/${id}`);
  }
}, 180_000);
