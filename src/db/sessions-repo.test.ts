// The sessions repository on a migrated database of the configured kind (PGlite or PostgreSQL).

import { describe, expect, test } from "bun:test";
import { NOT_STARTED, withEmptiedTable } from "../../test/support/database.ts";
import { SESSION_STATES, type SessionState } from "../protocol/session.ts";
import { type NewSessionRow, sessions } from "./schema.ts";
import { createSessionsRepo, type SessionsRepo } from "./sessions-repo.ts";

let repo: SessionsRepo;

withEmptiedTable(sessions, (database) => {
  repo = createSessionsRepo(database.db);
});

/** A minimal valid row; `n` picks a distinct id and a creation time n minutes after a base. */
function sessionRow(n: number, overrides: Partial<NewSessionRow> = {}): NewSessionRow {
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
    name: `session ${n}`,
    provider: "shell",
    cwd: "/home/dev",
    state: "running",
    cols: 80,
    rows: 24,
    createdAt: new Date(Date.UTC(2025, 0, 1, 0, n)),
    ...overrides,
  };
}

describe("insert and get", () => {
  test("insert returns the stored row with defaults filled in", async () => {
    const stored = await repo.insert(sessionRow(1));
    expect(stored).toEqual({
      ...sessionRow(1),
      ...NOT_STARTED,
      args: [],
      outputOffset: 0,
      scrollbackStart: 0,
      bypass: false,
      worktreePath: null,
      worktreeBranch: null,
      worktreeBase: null,
      worktreeRepository: null,
    });
  });

  test("get returns every column as inserted, typed", async () => {
    const row = sessionRow(2, {
      args: ["--resume", "a b", "ünïcode"],
      pid: 4242,
      startedAt: new Date("2025-01-01T00:02:01.123Z"),
      lastOutputAt: new Date("2025-01-01T00:03:00.000Z"),
      outputOffset: 2 ** 40 + 7,
      scrollbackStart: 2 ** 40,
      parentSessionId: sessionRow(1).id,
      createdBy: "alice",
    });
    await repo.insert(row);
    const got = await repo.get(row.id);
    expect(got).toMatchObject(row);
    expect(got?.startedAt).toBeInstanceOf(Date);
    expect(typeof got?.outputOffset).toBe("number");
  });

  test("get of an unknown id is undefined", async () => {
    expect(await repo.get("no-such-session")).toBeUndefined();
  });

  test("a duplicate id is rejected", async () => {
    await repo.insert(sessionRow(3));
    await expect(repo.insert(sessionRow(3))).rejects.toThrow();
  });

  test("a state outside SessionState is rejected by the database", async () => {
    const bad = sessionRow(4, { state: "zombie" as SessionState });
    await expect(repo.insert(bad)).rejects.toThrow();
  });
});

describe("list", () => {
  test("returns newest first, ties broken by id descending", async () => {
    await repo.insert(sessionRow(1));
    await repo.insert(sessionRow(3));
    await repo.insert(sessionRow(2));
    await repo.insert(sessionRow(4, { createdAt: sessionRow(3).createdAt }));
    const ids = (await repo.list()).map((row) => row.id);
    expect(ids).toEqual([sessionRow(4).id, sessionRow(3).id, sessionRow(2).id, sessionRow(1).id]);
  });

  test("filters by state", async () => {
    await repo.insert(sessionRow(1, { state: "running" }));
    await repo.insert(sessionRow(2, { state: "ended" }));
    await repo.insert(sessionRow(3, { state: "running" }));
    const running = await repo.list({ state: "running" });
    expect(running.map((row) => row.id)).toEqual([sessionRow(3).id, sessionRow(1).id]);
    expect(await repo.list({ state: "failed" })).toEqual([]);
  });

  test("is empty on an empty table", async () => {
    expect(await repo.list()).toEqual([]);
  });
});

describe("update", () => {
  test("changes only the patched columns and returns the row", async () => {
    await repo.insert(sessionRow(1));
    const endedAt = new Date("2025-01-01T01:00:00Z");
    const updated = await repo.update(sessionRow(1).id, {
      state: "ended",
      exitCode: 0,
      endedAt,
      outputOffset: 1234,
    });
    expect(updated).toMatchObject({
      ...sessionRow(1),
      state: "ended",
      exitCode: 0,
      endedAt,
      outputOffset: 1234,
    });
    expect(await repo.get(sessionRow(1).id)).toEqual(updated);
  });

  test("can clear a nullable column", async () => {
    await repo.insert(sessionRow(1, { pid: 99 }));
    expect((await repo.update(sessionRow(1).id, { pid: null }))?.pid).toBeNull();
  });

  test("an empty patch returns the row unchanged", async () => {
    const stored = await repo.insert(sessionRow(1));
    expect(await repo.update(stored.id, {})).toEqual(stored);
    expect(await repo.update(stored.id, { name: undefined })).toEqual(stored);
  });

  test("of an unknown id is undefined", async () => {
    expect(await repo.update("no-such-session", { name: "x" })).toBeUndefined();
    expect(await repo.update("no-such-session", {})).toBeUndefined();
  });
});

describe("remove", () => {
  test("deletes the row and reports whether it existed", async () => {
    await repo.insert(sessionRow(1));
    await repo.insert(sessionRow(2));
    expect(await repo.remove(sessionRow(1).id)).toBe(true);
    expect(await repo.remove(sessionRow(1).id)).toBe(false);
    expect((await repo.list()).map((row) => row.id)).toEqual([sessionRow(2).id]);
  });
});

describe("markLiveInterrupted", () => {
  test("interrupts only starting, running and idle rows and returns them", async () => {
    const states = SESSION_STATES;
    const finishedAt = new Date("2025-01-01T00:30:00Z");
    for (const [i, state] of states.entries()) {
      const live = ["starting", "running", "idle"].includes(state);
      await repo.insert(
        sessionRow(i + 1, live ? { state } : { state, endedAt: finishedAt, endReason: "before" }),
      );
    }
    const at = new Date("2025-01-02T00:00:00Z");

    const changed = await repo.markLiveInterrupted("server restarted", at);

    expect(changed.map((row) => row.id).sort()).toEqual([1, 2, 3].map((n) => sessionRow(n).id));
    for (const row of changed) {
      expect(row).toMatchObject({
        state: "interrupted",
        endedAt: at,
        endReason: "server restarted",
      });
    }
    const untouched = (await repo.list()).filter((row) => !changed.some((c) => c.id === row.id));
    expect(untouched.map((row) => [row.state, row.endedAt, row.endReason])).toEqual(
      ["interrupted", "failed", "ended", "stopped"].map((state) => [state, finishedAt, "before"]),
    );
  });

  test("returns nothing when no row is live", async () => {
    await repo.insert(sessionRow(1, { state: "ended" }));
    expect(await repo.markLiveInterrupted("server restarted", new Date())).toEqual([]);
  });
});
