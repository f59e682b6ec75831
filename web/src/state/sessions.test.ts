import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Activity } from "../../../src/protocol/attention.ts";
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

const SINCE = "2026-01-01T00:00:00Z";

const working: Activity = { state: "working", since: SINCE, source: "output", prompt: null };
const done: Activity = { state: "done", since: SINCE, source: "hook", prompt: null };
const waiting = (fingerprint: string): Activity => ({
  state: "waiting",
  since: SINCE,
  source: "screen",
  prompt: { text: "Go on? [y/N]", detail: null, options: [], offset: 0, fingerprint },
});

const session = (id: string, activity: Activity | null = working, createdAt = SINCE) =>
  ({ id, name: id, provider: "shell", cwd: "/", state: "running", createdAt, activity }) as Session;

function store(list: Session[] = []) {
  const announced: string[] = [];
  const api = { sessions: async () => list } as unknown as ApiClient;
  return {
    announced,
    sessions: createSessionsStore(api, { onAttention: (s) => announced.push(s.id) }),
  };
}

test("a new prompt or a finished turn is announced once, however often it arrives", () => {
  const { sessions, announced } = store();
  sessions.apply({ type: "session.created", session: session("a") });
  sessions.apply({ type: "session.activity", session: session("a", waiting("f1")) });
  // The stream's older copy of the session, then the same prompt again.
  sessions.update(session("a", working));
  sessions.apply({ type: "session.activity", session: session("a", waiting("f1")) });
  expect(announced).toEqual(["a"]);
  sessions.apply({ type: "session.activity", session: session("a", waiting("f2")) });
  sessions.apply({ type: "session.activity", session: session("a", done) });
  expect(announced).toEqual(["a", "a", "a"]);
  expect(sessions.byId.value.get("a")?.activity?.state).toBe("done");
});

test("the watched session's prompt is not announced; one first heard of neither", () => {
  const { sessions, announced } = store();
  sessions.watch("a");
  sessions.apply({ type: "session.created", session: session("a") });
  sessions.apply({ type: "session.activity", session: session("a", waiting("f1")) });
  sessions.apply({ type: "session.created", session: session("b", waiting("f2")) });
  expect(announced).toEqual([]);
  // Looking away does not make the same prompt news again.
  sessions.watch(null);
  sessions.apply({ type: "session.activity", session: session("a", waiting("f1")) });
  expect(announced).toEqual([]);
});

test("a reload announces what changed while disconnected, not what was already known", async () => {
  const list = [session("a", waiting("f1"))];
  const { sessions, announced } = store(list);
  await sessions.load();
  expect(announced).toEqual([]);
  list[0] = session("a", waiting("f2"));
  await sessions.load();
  expect(announced).toEqual(["a"]);
});

test("the list is newest first and a deleted session leaves it", async () => {
  const { sessions } = store([
    session("old", working, "2026-01-01T00:00:00Z"),
    session("new", working, "2026-01-02T00:00:00Z"),
  ]);
  await sessions.load();
  expect(sessions.sessions.value.map((s) => s.id)).toEqual(["new", "old"]);
  sessions.apply({ type: "session.deleted", session: session("old", null) });
  expect(sessions.sessions.value.map((s) => s.id)).toEqual(["new"]);
});

test("events heard while the list loads win over the list, which may be older", async () => {
  let answer: (list: Session[]) => void = () => {};
  const api = {
    sessions: () => new Promise<Session[]>((resolve) => (answer = resolve)),
  } as unknown as ApiClient;
  const sessions = createSessionsStore(api);
  const loading = sessions.load();
  sessions.apply({ type: "session.created", session: session("new") });
  sessions.apply({ type: "session.deleted", session: session("gone", null) });
  // The list was read before either event.
  answer([session("old"), session("gone")]);
  await loading;
  expect([...sessions.byId.value.keys()].sort()).toEqual(["new", "old"]);
});
