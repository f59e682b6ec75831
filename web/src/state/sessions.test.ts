import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Session } from "../../../src/protocol/session.ts";
import type { ApiClient } from "../api/http.ts";
import { createSessionsStore } from "./sessions.ts";

// The store asks whether the page is visible; these tests run without a DOM.
const hadDocument = "document" in globalThis;
beforeAll(() => {
  if (!hadDocument) Object.assign(globalThis, { document: { visibilityState: "visible" } });
});
afterAll(() => {
  if (!hadDocument) Reflect.deleteProperty(globalThis, "document");
});

const session = (id: string, state: Session["state"], createdAt = "2026-01-01T00:00:00Z") =>
  ({ id, name: id, provider: "shell", cwd: "/", state, createdAt }) as Session;

function store(list: Session[] = []) {
  const waiting: string[] = [];
  const api = { sessions: async () => list } as unknown as ApiClient;
  return {
    waiting,
    sessions: createSessionsStore(api, { onAttention: (s) => waiting.push(s.id) }),
  };
}

test("a session going idle unwatched needs attention; watching it or new output clears it", () => {
  const { sessions, waiting } = store();
  sessions.apply({ type: "session.created", session: session("a", "running") });
  sessions.apply({ type: "session.state", session: session("a", "idle") });
  expect([...sessions.attention.value]).toEqual(["a"]);
  expect(waiting).toEqual(["a"]);
  sessions.apply({ type: "session.state", session: session("a", "running") });
  expect(sessions.attention.value.size).toBe(0);
  sessions.apply({ type: "session.state", session: session("a", "idle") });
  sessions.watch("a");
  expect(sessions.attention.value.size).toBe(0);
});

test("the watched session going idle needs no attention; one first seen idle neither", () => {
  const { sessions, waiting } = store();
  sessions.watch("a");
  sessions.apply({ type: "session.created", session: session("a", "running") });
  sessions.apply({ type: "session.state", session: session("a", "idle") });
  sessions.apply({ type: "session.created", session: session("b", "idle") });
  expect(sessions.attention.value.size).toBe(0);
  expect(waiting).toEqual([]);
});

test("the list is newest first and a deleted session leaves it, badge and all", async () => {
  const { sessions } = store([
    session("old", "running", "2026-01-01T00:00:00Z"),
    session("new", "running", "2026-01-02T00:00:00Z"),
  ]);
  await sessions.load();
  expect(sessions.sessions.value.map((s) => s.id)).toEqual(["new", "old"]);
  sessions.apply({ type: "session.state", session: session("old", "idle") });
  sessions.apply({ type: "session.deleted", session: session("old", "ended") });
  expect(sessions.sessions.value.map((s) => s.id)).toEqual(["new"]);
  expect(sessions.attention.value.size).toBe(0);
});
