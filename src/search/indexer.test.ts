// The search indexer against a migrated database of the configured kind (PGlite or PostgreSQL),
// fed by a stand-in for the session manager (its narrow interface): gaps, the per-session
// limit, sessions deleted under it, and sessions that go to sleep.

import { beforeEach, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { insertSessionRow, queryRows, withMigratedDatabase } from "../../test/support/database.ts";
import type { Database } from "../db/client.ts";
import { createOutputTextRepo, type OutputTextRepo } from "../db/output-text-repo.ts";
import { sessions } from "../db/schema.ts";
import type { LifecycleEvent } from "../protocol/events.ts";
import type { Session, SessionState } from "../protocol/session.ts";
import type { OutputSlice } from "../sessions/manager.ts";
import { SessionError } from "../sessions/session-error.ts";
import { createSearchIndexer, type SearchIndexer } from "./indexer.ts";

let database: Database;
let repo: OutputTextRepo;
withMigratedDatabase((opened) => {
  database = opened;
  repo = createOutputTextRepo(database.db);
});

const ID = "00000000-0000-4000-8000-000000000001";

beforeEach(async () => {
  await database.db.delete(sessions);
  await insertSessionRow(database.db, ID);
});

/** A session's output as a manager serves it: `start` is where what is kept begins. */
class StandIn {
  bytes = new Uint8Array(0);
  start = 0;
  state: SessionState = "running";
  gone = false;
  listener: ((event: LifecycleEvent) => void) | undefined;
  /** Called each time the indexer asks where the output ends (once per pass): a flood prints. */
  onEndAsked: (() => void) | undefined;

  print(text: string) {
    const added = new TextEncoder().encode(text);
    const next = new Uint8Array(this.bytes.length + added.length);
    next.set(this.bytes);
    next.set(added, this.bytes.length);
    this.bytes = next;
  }

  get end() {
    return this.start + this.bytes.length;
  }

  /** Output up to `offset` is no longer kept (a ring that turned over). */
  lose(offset: number) {
    this.bytes = this.bytes.subarray(offset - this.start);
    this.start = offset;
  }

  emit(type: LifecycleEvent["type"], state: SessionState) {
    this.state = state;
    this.listener?.({ type, session: { id: ID, state, outputOffset: this.end } as Session });
  }

  manager = {
    list: async () => [{ id: ID, state: this.state, outputOffset: this.end } as Session],
    outputEnd: (_id: string) => {
      this.onEndAsked?.();
      return this.state === "running" || this.state === "idle" ? this.end : undefined;
    },
    onEvent: (listener: (event: LifecycleEvent) => void) => {
      this.listener = listener;
      return () => {
        this.listener = undefined;
      };
    },
    output: async (
      _id: string,
      since = 0,
      maxBytes = Number.POSITIVE_INFINITY,
    ): Promise<OutputSlice> => {
      if (this.gone) throw new SessionError("not_found", "no such session");
      const from = Math.max(since, this.start);
      const bytes = this.bytes.subarray(from - this.start, from - this.start + maxBytes);
      return { start: from, end: from + bytes.length, bytes };
    },
  };
}

async function texts(): Promise<{ text: string; start: number; line: number }[]> {
  return queryRows(
    database.db,
    sql`select text, start_offset as start, first_line as line from session_output_text
        where session_id = ${ID} order by seq`,
  ).then((rows) =>
    rows.map((row) => ({
      text: String(row.text),
      start: Number(row.start),
      line: Number(row.line),
    })),
  );
}

async function until<T>(check: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(10);
  }
}

function indexer(standIn: StandIn, errors: unknown[], limitBytes = 1024 * 1024): SearchIndexer {
  return createSearchIndexer({
    manager: standIn.manager,
    repo,
    limitBytes,
    rateBytes: 1024 * 1024,
    intervalMs: 5,
    onError: (error) => errors.push(error),
  });
}

describe("search indexer", () => {
  test("output lost between two passes is a gap: the lines on each side stay whole", async () => {
    const standIn = new StandIn();
    const errors: unknown[] = [];
    const running = indexer(standIn, errors);
    try {
      standIn.print("alpha\nbeta gam");
      await running.start();
      await until(async () => ((await texts()).length > 0 ? true : undefined), "alpha");
      standIn.print("ma\nlost line\n");
      standIn.lose(standIn.end);
      standIn.print("delta\n");
      standIn.emit("session.exited", "ended");
      const rows = await until(async () => {
        const all = await texts();
        return all.some((row) => row.text.includes("delta")) ? all : undefined;
      }, "delta");
      const lines = rows.flatMap((row) => row.text.split("\n"));
      expect(lines).toContain("alpha");
      expect(lines).toContain("delta");
      expect(lines).not.toContain("lost line");
      // The line cut by the gap is kept as far as it was read.
      expect(lines).toContain("beta gam");
      expect(rows.find((row) => row.text.startsWith("beta gam"))?.start).toBe("alpha\n".length);
      expect(errors).toEqual([]);
    } finally {
      await running.dispose();
    }
  });

  test("past the limit, a session's oldest text goes and its newest stays", async () => {
    const standIn = new StandIn();
    const errors: unknown[] = [];
    const running = indexer(standIn, errors, 8 * 1024);
    try {
      for (let i = 0; i < 4000; i++) standIn.print(`entry${i}\n`);
      standIn.state = "ended";
      await running.start();
      // Each insert is followed by the trim: wait for both (a trim that never comes times out).
      const rows = await until(async () => {
        const all = await texts();
        const size = Buffer.byteLength(all.map((row) => row.text).join(""));
        return all.some((row) => row.text.includes("entry3999")) && size <= 8 * 1024
          ? all
          : undefined;
      }, "the last entry, within the limit");
      const text = rows.map((row) => row.text).join("\n");
      expect(Buffer.byteLength(text)).toBeGreaterThan(2 * 1024);
      expect(text).not.toContain("entry0\n");
      // Line numbers count from the session's first line, dropped ones included.
      expect(rows[0]?.line).toBeGreaterThan(0);
      expect(errors).toEqual([]);
    } finally {
      await running.dispose();
    }
  });

  test("while its sessions print faster than the rate, indexing waits; then it catches up", async () => {
    const standIn = new StandIn();
    const errors: unknown[] = [];
    // 1 MiB/s in passes 5 ms apart: a budget of about 5 KiB a pass.
    const running = indexer(standIn, errors);
    try {
      standIn.print("calm\n");
      await running.start();
      await until(async () => ((await texts()).length > 0 ? true : undefined), "calm");
      // Each pass finds 10 KiB more printed since the last: twenty passes index nothing.
      let passes = 0;
      const flooded = new Promise<void>((resolve) => {
        standIn.onEndAsked = () => {
          passes++;
          // Lines of 64 bytes, each its own (a line seen lately is not indexed again).
          for (let i = 0; i < 160; i++)
            standIn.print(`${`flood ${passes} ${i} `.padEnd(63, ".")}\n`);
          if (passes === 20) resolve();
        };
      });
      await flooded;
      standIn.onEndAsked = undefined;
      expect((await texts()).map((row) => row.text)).toEqual(["calm"]);
      // Calm again: what the flood printed (all of it still kept here) is indexed.
      const rows = await until(async () => {
        const all = await texts();
        return all.some((row) => row.text.includes("flood 20 159 ")) ? all : undefined;
      }, "the flood's lines");
      expect(rows[0]?.text).toBe("calm");
      expect(errors).toEqual([]);
    } finally {
      await running.dispose();
    }
  });

  test("a session deleted under the indexer is dropped without an error", async () => {
    const standIn = new StandIn();
    const errors: unknown[] = [];
    const running = indexer(standIn, errors);
    try {
      standIn.print("before\n");
      await running.start();
      await until(async () => ((await texts()).length > 0 ? true : undefined), "before");
      await database.db.delete(sessions);
      standIn.print("after\n");
      // Its row is gone (an insert fails on the foreign key), then the manager forgets it too.
      standIn.emit("session.state", "running");
      standIn.gone = true;
      standIn.emit("session.state", "running");
      // Nothing to wait for: several passes (5 ms apart) must have run and failed quietly.
      await Bun.sleep(100);
      expect(await texts()).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await running.dispose();
    }
  });
});
