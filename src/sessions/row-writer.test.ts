// The row writer over a store that can be switched away: coalescing, retries until stored,
// prompt 503 for requests, and the bounded last attempt at shutdown. The real database outage
// is test/database-outage.test.ts.

import { expect, test } from "bun:test";
import type { Session } from "../protocol/session.ts";
import { createRowWriter } from "./row-writer.ts";
import { SessionError } from "./session-error.ts";

class Unavailable extends Error {
  code = "ECONNREFUSED";
}

/** A store that records what it wrote and refuses while `away`; each write awaits the gate. */
function fakeStore() {
  const written: Session[] = [];
  const errors: string[] = [];
  const store = {
    away: false,
    broken: false,
    written,
    errors,
    writer: createRowWriter({
      store: async (session) => {
        await Promise.resolve();
        if (store.broken) throw new Error("bad row");
        if (store.away) throw new Unavailable("refused");
        written.push(session);
      },
      isUnavailable: (error) => error instanceof Unavailable,
      onError: (_error, context) => errors.push(context),
      retryDelayMs: () => 5,
    }),
  };
  return store;
}

const session = (state: Session["state"], exitCode: number | null = null) =>
  ({ id: "s1", state, exitCode }) as Session;

test("only the newest of the states saved in one turn is written", async () => {
  const { writer, written } = fakeStore();
  writer.save(session("running"));
  writer.save(session("idle"));
  await writer.save(session("ended", 3));
  expect(written.map((s) => s.state)).toEqual(["ended"]);
  expect(writer.pending("s1")).toBeUndefined();
});

test("a state saved while the database is away is kept and written once it is back", async () => {
  const store = fakeStore();
  store.away = true;
  const request = store.writer.save(session("ended", 3));
  const stored = store.writer.stored("s1");
  const rejected = await request.catch((error: unknown) => error);
  expect(rejected).toBeInstanceOf(SessionError);
  expect(rejected).toMatchObject({ kind: "store_unavailable" });
  expect(store.writer.pending("s1")).toMatchObject({ state: "ended", exitCode: 3 });
  // A request during the outage hears of a new attempt, not of the next timer.
  await expect(store.writer.flushed("s1")).rejects.toMatchObject({ kind: "store_unavailable" });
  store.away = false;
  await stored;
  expect(store.written).toEqual([session("ended", 3)]);
  expect(store.errors).toEqual(["the database is unavailable: session rows wait to be stored"]);
});

test("a write the database rejects is logged and not retried", async () => {
  const store = fakeStore();
  store.broken = true;
  await store.writer.save(session("running"));
  expect(store.errors).toEqual(["saving session s1"]);
  expect(store.writer.pending("s1")).toBeUndefined();
});

test("close makes one last attempt and names the rows it could not store", async () => {
  const store = fakeStore();
  store.away = true;
  store.writer.save(session("ended", 3));
  store.writer.save({ ...session("ended", 4), id: "s2" });
  let stored = false;
  store.writer.stored("s1").then(() => {
    stored = true;
  });
  expect((await store.writer.close(1000)).sort()).toEqual(["s1", "s2"]);
  expect(stored).toBe(false);
});
