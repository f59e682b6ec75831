import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { tempDirForFile } from "../../test/support/temp-dir.ts";
import { selfCommand } from "../self-command.ts";
import {
  HOOK_SOCKET_ENV,
  HOOK_TOKEN_ENV,
  hookKey,
  hookToken,
  startHookServer,
  verifyHookToken,
} from "./hook-channel.ts";
import { reduce } from "./hook-client.ts";

const dir = tempDirForFile("hooks");

const SESSION = "0b5c2a8e-4f61-4c1a-9d0e-2f7b3c4d5e6f";

describe("reduce", () => {
  test("keeps top-level scalars, cut, and the telling fields of a tool's input", () => {
    const reduced = reduce({
      hook_event_name: "PostToolUse",
      tool_name: "Write",
      tool_input: { file_path: "/a.txt", content: "x".repeat(100_000) },
      tool_response: { huge: "y".repeat(100_000) },
      message: "m".repeat(5000),
      stop_hook_active: false,
    });
    expect(reduced).toEqual({
      hook_event_name: "PostToolUse",
      tool_name: "Write",
      tool_input: { file_path: "/a.txt" },
      message: "m".repeat(1000),
      stop_hook_active: false,
    });
  });

  test("anything but an object is nothing to send", () => {
    expect(reduce([1, 2])).toBeUndefined();
    expect(reduce("Stop")).toBeUndefined();
    expect(reduce(null)).toBeUndefined();
  });
});

describe("hook tokens", () => {
  const key = hookKey(new Uint8Array(32).fill(1));
  test("name their session; any change is refused", () => {
    const token = hookToken(key, SESSION);
    expect(verifyHookToken(key, token)).toBe(SESSION);
    expect(verifyHookToken(key, `${token}x`)).toBeUndefined();
    expect(verifyHookToken(hookKey(new Uint8Array(32).fill(2)), token)).toBeUndefined();
    expect(verifyHookToken(key, token.replace(SESSION, SESSION.replace("0b", "1b")))).toBe(
      undefined,
    );
    expect(verifyHookToken(key, "no-dot")).toBeUndefined();
  });
});

describe("opendray hook", () => {
  const run = (env: Record<string, string>, stdin: string, args: string[] = []) =>
    Bun.spawn([...selfCommand(), "hook", ...args], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
      stdin: new TextEncoder().encode(stdin),
      stdout: "pipe",
      stderr: "pipe",
    });

  test("posts the reduced event through the socket; prints nothing; exits 0", async () => {
    const key = hookKey(new Uint8Array(32).fill(3));
    const received: unknown[] = [];
    const server = startHookServer({
      dataDir: dir,
      key,
      onHook: async (id, payload) => {
        received.push({ id, payload });
        return "taken";
      },
      onRefused: () => {},
    });
    try {
      const env = { [HOOK_SOCKET_ENV]: server.socket, [HOOK_TOKEN_ENV]: hookToken(key, SESSION) };
      const child = run(env, JSON.stringify({ hook_event_name: "Stop", extra: { deep: 1 } }));
      expect(await child.exited).toBe(0);
      expect(await new Response(child.stdout).text()).toBe("");
      // Codex passes its event as the last argument.
      const codex = run(env, "", [JSON.stringify({ type: "agent-turn-complete" })]);
      expect(await codex.exited).toBe(0);
      expect(received).toEqual([
        { id: SESSION, payload: { hook_event_name: "Stop" } },
        { id: SESSION, payload: { type: "agent-turn-complete" } },
      ]);
    } finally {
      await server.stop();
    }
  });

  test("without a server, without a token, or with garbage: silent, exit 0", async () => {
    const missing = { [HOOK_SOCKET_ENV]: join(dir, "none.sock"), [HOOK_TOKEN_ENV]: "x.y" };
    for (const [env, stdin] of [
      [missing, '{"hook_event_name":"Stop"}'],
      [{}, '{"hook_event_name":"Stop"}'],
      [missing, "not json"],
    ] as const) {
      const child = run({ ...env }, stdin);
      expect(await child.exited).toBe(0);
      expect(await new Response(child.stdout).text()).toBe("");
    }
  });
});
