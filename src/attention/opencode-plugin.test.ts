import { describe, expect, test } from "bun:test";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { tempDirForFile } from "../../test/support/temp-dir.ts";
import {
  HOOK_SOCKET_ENV,
  HOOK_TOKEN_ENV,
  hookKey,
  hookLaunch,
  hookToken,
  startHookServer,
} from "./hook-channel.ts";
import { OPENCODE_PLUGIN_NAME } from "./opencode-plugin-file.ts";

const dir = tempDirForFile("opencode-plugin");

const SESSION = "0b5c2a8e-4f61-4c1a-9d0e-2f7b3c4d5e6f";
const endpoint = { command: ["opendray"], socket: join(dir, "hooks.sock"), token: "t.k" };
const pluginPath = join(dir, OPENCODE_PLUGIN_NAME);

/** The plugin specs the launch names in OPENCODE_CONFIG_CONTENT. */
const pluginsOf = (env: Record<string, string>) =>
  JSON.parse(env.OPENCODE_CONFIG_CONTENT ?? "{}").plugin as string[];

describe("hookLaunch for OpenCode", () => {
  test("writes the plugin beside the socket, 0600, and names it in OPENCODE_CONFIG_CONTENT", () => {
    const { args, env } = hookLaunch("opencode-plugin", endpoint);
    expect(args).toEqual([]);
    expect(env[HOOK_SOCKET_ENV]).toBe(endpoint.socket);
    expect(env[HOOK_TOKEN_ENV]).toBe(endpoint.token);
    const plugins = pluginsOf(env);
    expect(plugins).toHaveLength(1);
    expect(fileURLToPath(plugins[0] ?? "")).toBe(pluginPath);
    expect(statSync(pluginPath).mode & 0o777).toBe(0o600);
    expect(readFileSync(pluginPath, "utf8")).toContain("export const OpenDrayActivity");
  });

  test("writes it once; a changed copy is replaced", () => {
    const first = statSync(pluginPath).ino;
    hookLaunch("opencode-plugin", endpoint);
    expect(statSync(pluginPath).ino).toBe(first);
    writeFileSync(pluginPath, "export const Tampered = async () => ({});\n");
    hookLaunch("opencode-plugin", endpoint);
    expect(readFileSync(pluginPath, "utf8")).toContain("export const OpenDrayActivity");
  });

  test("keeps the user's own OPENCODE_CONFIG_CONTENT, adding the plugin to theirs", () => {
    const own = { model: "anthropic/claude-sonnet-4", plugin: ["opencode-wakatime"] };
    const { env } = hookLaunch("opencode-plugin", endpoint, {
      OPENCODE_CONFIG_CONTENT: JSON.stringify(own),
    });
    const content = JSON.parse(env.OPENCODE_CONFIG_CONTENT ?? "{}");
    expect(content.model).toBe(own.model);
    expect(content.plugin).toEqual(["opencode-wakatime", expect.stringMatching(/^file:\/\//)]);
  });

  test.each([
    ["JSONC", '{ // mine\n "model": "x" }'],
    ["an array", "[1]"],
    ["a plugin that is no list", '{"plugin": "one"}'],
  ])("gives no hooks rather than replace content it cannot extend (%s)", (_, content) => {
    expect(hookLaunch("opencode-plugin", endpoint, { OPENCODE_CONFIG_CONTENT: content })).toEqual({
      args: [],
      env: {},
    });
  });
});

describe("the OpenCode plugin", () => {
  // biome-ignore lint/suspicious/noExplicitAny: OpenCode's plugin interface, untyped here
  type Hooks = { event?: (input: { event: unknown }) => Promise<void> } & Record<string, any>;

  /** The plugin as OpenCode loads it: every export called with OpenCode's context. */
  async function loadPlugin(env: Record<string, string>): Promise<Hooks[]> {
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const module = await import(pluginPath);
      return await Promise.all(
        Object.values(module).map((plugin) => (plugin as (context: unknown) => Promise<Hooks>)({})),
      );
    } finally {
      for (const key of Object.keys(env)) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
  }

  test("posts what tells the activity to the hook socket, in order; sub-agents left out", async () => {
    hookLaunch("opencode-plugin", endpoint);
    const key = hookKey(new Uint8Array(32).fill(5));
    const received: unknown[] = [];
    const expected = 5;
    let allReceived: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      allReceived = resolve;
    });
    const server = startHookServer({
      dataDir: dir,
      key,
      onHook: async (id, payload) => {
        received.push({ id, payload });
        if (received.length === expected) allReceived();
        return "taken";
      },
      onRefused: () => {},
    });
    try {
      const [hooks] = await loadPlugin({
        [HOOK_SOCKET_ENV]: server.socket,
        [HOOK_TOKEN_ENV]: hookToken(key, SESSION),
      });
      const child = "ses_child";
      const events = [
        { type: "session.created", properties: { info: { id: child, parentID: "ses_main" } } },
        { type: "session.status", properties: { sessionID: "ses_main", status: { type: "busy" } } },
        { type: "message.updated", properties: { sessionID: "ses_main", info: {} } },
        { type: "session.status", properties: { sessionID: child, status: { type: "busy" } } },
        {
          type: "permission.asked",
          properties: {
            id: "per_1",
            sessionID: child,
            permission: "bash",
            patterns: ["touch made-by-opencode"],
            metadata: { command: `touch made-by-opencode${" ".repeat(2000)}` },
            always: ["touch *"],
          },
        },
        { type: "permission.replied", properties: { sessionID: child, reply: "once" } },
        { type: "session.status", properties: { sessionID: child, status: { type: "idle" } } },
        { type: "question.rejected", properties: { sessionID: "ses_main", requestID: "que_1" } },
        { type: "session.status", properties: { sessionID: "ses_main", status: { type: "idle" } } },
      ];
      for (const event of events) await hooks?.event?.({ event });
      await done;
      expect(received.map((call) => (call as { payload: unknown }).payload)).toEqual([
        { type: "session.status", status: "busy" },
        { type: "permission.asked", permission: "bash", detail: "touch made-by-opencode" },
        { type: "permission.replied" },
        { type: "question.rejected" },
        { type: "session.status", status: "idle" },
      ]);
      expect(received.every((call) => (call as { id: string }).id === SESSION)).toBe(true);
    } finally {
      await server.stop();
    }
  });

  test("without the hook socket, or with no server there, it does nothing and never throws", async () => {
    const [quiet] = await loadPlugin({});
    expect(quiet).toEqual({});
    const [hooks] = await loadPlugin({
      [HOOK_SOCKET_ENV]: join(dir, "none.sock"),
      [HOOK_TOKEN_ENV]: "x.y",
    });
    const idle = {
      type: "session.status",
      properties: { sessionID: "s", status: { type: "idle" } },
    };
    await hooks?.event?.({ event: idle });
    await hooks?.event?.({ event: null });
  });
});
