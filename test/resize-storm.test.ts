// A storm of resizes (a window dragged across the screen) reaches the PTY at once but costs the
// database one write of the size per second, not one per resize, and other requests stay fast.

import { afterAll, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { openDatabase } from "../src/db/client.ts";
import { queryRows } from "./support/database.ts";
import { eventually, startTestServer } from "./support/server.ts";
import { StreamClient, streamUrl } from "./support/ws-client.ts";

/** 1000 resizes a second for 2 s, sent in batches every STEP_MS. */
const STORM_MS = 2000;
const RESIZES_PER_MS = 1;
const STEP_MS = 10;
/** The row may learn a size this late (SIZE_STORE_MS): one size write a second at most. */
const SIZE_STORE_MS = 1000;
const LAST = { cols: 123, rows: 45 };
/** How long a GET may take while the storm blows (the old code made requests wait seconds). */
const GET_BUDGET_MS = 1000;

const server = await startTestServer();
afterAll(() => server.dispose());

/**
 * Count every UPDATE of a `sessions` row, in the database itself: a trigger that bumps a
 * counter (plpgsql is in PostgreSQL and in PGlite alike).
 */
async function countSessionUpdates(): Promise<() => Promise<number>> {
  const db = server.db.db;
  await db.execute(sql`create table test_session_updates (n bigint not null)`);
  await db.execute(sql`insert into test_session_updates values (0)`);
  await db.execute(sql`
    create function test_count_session_update() returns trigger language plpgsql as $$
    begin
      update test_session_updates set n = n + 1;
      return new;
    end $$`);
  await db.execute(sql`
    create trigger test_count_session_updates after update on sessions
    for each row execute function test_count_session_update()`);
  return async () => {
    const [row] = await queryRows<{ n: string | number }>(
      db,
      sql`select n from test_session_updates`,
    );
    return Number(row?.n);
  };
}

async function storedSize(id: string) {
  const [row] = await queryRows<{ cols: number; rows: number }>(
    server.db.db,
    sql`select cols, rows from sessions where id = ${id}`,
  );
  return row;
}

test("a resize storm reaches the PTY at once and writes the row's size at most once a second", async () => {
  const updates = await countSessionUpdates();
  // Each line typed prints the terminal's size as the program sees it.
  const session = await server.spawnShell("while read -r _; do stty size; done");
  const viewer = await StreamClient.connect(streamUrl(server.api, session.id), server.auth);
  await viewer.waitForEvent("hello");
  const before = await updates();

  // Other requests go on meanwhile; GET /sessions reads the database (on a warm connection).
  expect((await server.request("GET", "/sessions")).status).toBe(200);
  let storming = true;
  let slowestGetMs = 0;
  const gets = (async () => {
    let count = 0;
    while (storming) {
      const started = performance.now();
      expect((await server.request("GET", "/sessions")).status).toBe(200);
      slowestGetMs = Math.max(slowestGetMs, performance.now() - started);
      count++;
    }
    return count;
  })();

  const stormStarted = performance.now();
  let sent = 0;
  for (let elapsed = 0; elapsed < STORM_MS; elapsed = performance.now() - stormStarted) {
    for (; sent < elapsed * RESIZES_PER_MS; sent++) {
      viewer.sendJson({ type: "resize", cols: 80 + (sent % 100), rows: 24 + (sent % 30) });
    }
    await Bun.sleep(STEP_MS);
  }
  viewer.sendJson({ type: "resize", ...LAST });
  sent++;
  const stormMs = performance.now() - stormStarted;

  // Broadcast once the PTY has it: the program sees the last size now, not after a debounce.
  await viewer.waitForEvent(
    "resize",
    (event) => event.cols === LAST.cols && event.rows === LAST.rows,
  );
  viewer.send(new TextEncoder().encode("\n"));
  await viewer.waitForText(`${LAST.rows} ${LAST.cols}\r\n`);
  storming = false;
  const getCount = await gets;

  // The row learns the last size within SIZE_STORE_MS of the storm's end.
  await eventually(
    async () => {
      const stored = await storedSize(session.id);
      return stored?.cols === LAST.cols && stored.rows === LAST.rows ? true : undefined;
    },
    "the last size in the row",
    SIZE_STORE_MS + 5000,
  );
  const writes = (await updates()) - before;
  console.log(
    `${sent} resizes in ${stormMs.toFixed(0)} ms: ${writes} UPDATEs of the row; ` +
      `${getCount} GET /sessions meanwhile, slowest ${slowestGetMs.toFixed(0)} ms`,
  );
  // One write per SIZE_STORE_MS while it blows, and the last one after it.
  expect(writes).toBeLessThanOrEqual(Math.ceil(stormMs / SIZE_STORE_MS) + 1);
  expect(writes).toBeGreaterThanOrEqual(1);
  expect(slowestGetMs).toBeLessThan(GET_BUDGET_MS);
  viewer.close();
}, 30_000);

// Last in the file: it shuts the server down.
test("the last size is stored at once when the session ends and when the server shuts down", async () => {
  const resizeTo = async (id: string, cols: number, rows: number) => {
    const viewer = await StreamClient.connect(streamUrl(server.api, id), server.auth);
    viewer.sendJson({ type: "resize", cols, rows });
    await viewer.waitForEvent("resize", (event) => event.cols === cols);
    viewer.close();
  };
  const ended = await server.spawnShell("sleep 300");
  const left = await server.spawnShell("sleep 300");
  await resizeTo(ended.id, 101, 31);
  await resizeTo(left.id, 102, 32);

  // Well within SIZE_STORE_MS of the resizes: the stop's and the shutdown's writes carry them.
  expect((await server.request("POST", `/sessions/${ended.id}/stop`)).status).toBe(200);
  await server.close();
  const database = await openDatabase(server.database.config);
  try {
    const rows = await queryRows<{ id: string; cols: number; rows: number }>(
      database.db,
      sql`select id, cols, rows from sessions where id in (${ended.id}, ${left.id}) order by cols`,
    );
    expect(rows).toEqual([
      { id: ended.id, cols: 101, rows: 31 },
      { id: left.id, cols: 102, rows: 32 },
    ]);
  } finally {
    await database.close();
  }
}, 30_000);
