// An idle session keeps no closure, promise or scope of its own (docs/memory.md): a census of the
// JS heap, after a full collection, before and after N idle sessions on an in-process server.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { grownPerUnit, takeHeapCensus } from "./support/heap-census.ts";
import { bodyOf, sessionListSchema } from "./support/responses.ts";
import { startTestServer, type TestServer } from "./support/server.ts";

const SESSIONS = 50;
/**
 * JavaScriptCore's type names of what a session must not keep: functions (closures, bound and
 * async functions), their scopes (`JSLexicalEnvironment`), and promises. Compiled code
 * (`FunctionCodeBlock`, `FunctionExecutable`) grows as the server's code is compiled further,
 * not per session.
 */
const isForbidden = (type: string) =>
  /Function|Scope|Environment|Promise/.test(type) && !/CodeBlock|Executable/.test(type);

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ env: { PTY_HOST: "inprocess", IDLE_AFTER: "250ms" } });
});
afterAll(() => server.dispose());

async function spawnIdle(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await server.spawnShell("exec cat")).id);
  for (;;) {
    const idle = await server.request("GET", "/sessions?state=idle");
    if (bodyOf(idle, 200, sessionListSchema).sessions.length >= count) return ids;
    await Bun.sleep(50);
  }
}

async function removeAll(ids: string[]): Promise<void> {
  for (const id of ids)
    expect((await server.request("DELETE", `/sessions/${id}`)).status).toBe(204);
}

test("idle sessions keep no closure, scope or promise of their own", async () => {
  // A first round grows what the server keeps once it has run that many sessions (database
  // caches, compiled code): not counted.
  await removeAll(await spawnIdle(SESSIONS));
  const before = takeHeapCensus();
  const ids = await spawnIdle(SESSIONS);
  const after = takeHeapCensus();
  // Half an object per session: one kept per session (SESSIONS in all) is well over it, the
  // server's own odd closure made meanwhile well under.
  const grown = grownPerUnit(before, after, SESSIONS, 0.5);
  expect(grown.filter(([type]) => isForbidden(type))).toEqual([]);
  await removeAll(ids);
}, 120_000);
