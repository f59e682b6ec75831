// Full-text search over sessions' output (GET /search) against a real server, real PTYs and a
// real database (PGlite, or PostgreSQL with OPENDRAY_TEST_DB=postgres): what real programs
// print — colours, a progress bar redrawn in place, unicode — is found by words and phrases.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { MATCH_END, MATCH_START, searchResponseSchema } from "../src/protocol/search.ts";
import type { Session } from "../src/protocol/session.ts";
import { queryRows } from "./support/database.ts";
import { bodyOf, errorOf } from "./support/responses.ts";
import { eventually, startTestServer, type TestServer } from "./support/server.ts";
import { EventsClient, eventsUrl } from "./support/ws-client.ts";

const FAST = { searchIndexIntervalMs: 50 };
const BUDGETS = { RATE_LIMIT_READS: "100000/min", RATE_LIMIT_SESSION_OPS: "1000/min" };

let server: TestServer;
let events: EventsClient;
/** Coloured words, a progress bar, unicode and a phrase; ended. */
let colours: Session;
/** Another user's session in its own folder; ended. */
let other: Session;
let otherDir: string;
/** Still running. */
let running: Session;
let alice: string;
let viewer: string;

/** GET /search with `params` (as the admin unless `token`); the raw response. */
function search(params: Record<string, string>, token = server.token) {
  const query = new URLSearchParams(params).toString();
  return server.send("GET", `/search?${query}`, undefined, { authorization: `Bearer ${token}` });
}

/** GET /search that must succeed; its results. */
async function results(params: Record<string, string>, token?: string) {
  return bodyOf(await search(params, token), 200, searchResponseSchema);
}

/** Waits until `q` finds `count` results (the indexer runs in the background). */
function indexed(q: string, count = 1) {
  return eventually(
    async () => {
      const response = await results({ q });
      return response.results.length >= count ? response : undefined;
    },
    `"${q}" to be indexed`,
    15_000,
  );
}

async function ended(session: Session): Promise<Session> {
  const event = await events.waitFor("session.exited", session.id);
  return event.session;
}

beforeAll(async () => {
  server = await startTestServer({ env: BUDGETS, ...FAST });
  events = await EventsClient.connect(eventsUrl(server.api), server.auth);
  alice = (await server.createUser("alice", "admin")).token;
  viewer = (await server.createUser("victor", "viewer")).token;
  colours = await server.spawnShell(
    [
      "printf '\\033[31mzebra\\033[0m \\033[1;32mgiraffe\\033[0m\\n'",
      "for i in $(seq 1 1000); do printf '\\rprogress %d/1000 \\033[K' $i; done; printf '\\n'",
      "printf 'café 中文 naïve 🦓\\n'",
      "printf 'the quick brown fox jumps\\n'",
    ].join("; "),
  );
  otherDir = mkdtempSync(join(tmpdir(), "opendray-search-"));
  const created = await server.send(
    "POST",
    "/sessions",
    { provider: "shell", cwd: otherDir, args: ["-c", "printf 'zebra crossing\\n'"] },
    { authorization: `Bearer ${alice}` },
  );
  other = created.body as Session;
  running = await server.spawnShell("printf 'zebra running\\n'; sleep 60");
  await Promise.all([ended(colours), ended(other)]);
  await indexed("zebra", 3);
  await indexed("jumps");
}, 60_000);

afterAll(async () => {
  events.close();
  await server.dispose();
});

describe("what is indexed", () => {
  test("a coloured word is found, its snippet marks it and holds no escape sequence", async () => {
    const { results: hits } = await results({ q: "giraffe" });
    expect(hits).toHaveLength(1);
    const [hit] = hits;
    expect(hit?.session.id).toBe(colours.id);
    expect(hit?.snippet).toContain(`${MATCH_START}giraffe${MATCH_END}`);
    expect(hit?.snippet).not.toContain("\x1b");
    expect(hit?.snippet).not.toContain("[31m");
    expect(hit?.terms).toEqual(["giraffe"]);
    expect(hit?.line).toBe(1);
    expect(hit?.offset).toBe(0);
  });

  test("a progress bar redrawn a thousand times is indexed once, in its final form", async () => {
    const { results: hits } = await results({ q: "progress" });
    expect(hits).toHaveLength(1);
    expect(hits[0]?.snippet).toContain(`${MATCH_START}progress${MATCH_END} 1000/1000`);
    const rows = await queryRows<{ text: string }>(
      server.db.db,
      sql`select text from session_output_text where session_id = ${colours.id}`,
    );
    const text = rows.map((row) => row.text).join("\n");
    expect(text.split("progress").length - 1).toBe(1);
    expect(text).toBe(
      [
        "zebra giraffe",
        "progress 1000/1000",
        "café 中文 naïve 🦓",
        "the quick brown fox jumps",
      ].join("\n"),
    );
  });

  test.each(["café", "中文", "naïve", "CAFÉ"])("the unicode word %s is found", async (q) => {
    const { results: hits } = await results({ q });
    expect(hits.map((hit) => hit.session.id)).toEqual([colours.id]);
    expect(hits[0]?.line).toBe(3);
  });

  test("an emoji alone is no word: no results, no error", async () => {
    expect((await results({ q: "🦓" })).results).toEqual([]);
  });

  test("a quoted phrase matches its words in order only", async () => {
    expect((await results({ q: '"quick brown"' })).results).toHaveLength(1);
    expect((await results({ q: '"brown quick"' })).results).toHaveLength(0);
    expect((await results({ q: "brown quick" })).results).toHaveLength(1);
    expect((await results({ q: "zebra -crossing -running" })).results).toHaveLength(1);
  });

  test.each([
    "a & b | !c",
    "zebra:*",
    "'",
    "\\",
    "zebra & (giraffe",
    "<-> <2> !!",
    '"unclosed',
    "or or or",
    "%_*",
    "'; drop table sessions; --",
    "\u0002\u0003",
    "\ud800 lone surrogate",
  ])("the query %p gives safe results, never a database error", async (q) => {
    const response = await search({ q });
    expect(response.status).toBe(200);
    expect(searchResponseSchema.safeParse(response.body).success).toBe(true);
  });

  test("operators are words: zebra & giraffe finds the line with both", async () => {
    const { results: hits } = await results({ q: "zebra & giraffe" });
    expect(hits.map((hit) => hit.session.id)).toEqual([colours.id]);
  });
});

describe("bad queries", () => {
  test.each([
    ["no q", {}, "query_empty"],
    ["an empty q", { q: "" }, "query_empty"],
    ["a blank q", { q: "   " }, "query_empty"],
    ["a 10 000-character q", { q: "x".repeat(10_000) }, "query_too_long"],
    ["limit 0", { q: "zebra", limit: "0" }, "limit_invalid"],
    ["limit 101", { q: "zebra", limit: "101" }, "limit_invalid"],
    ["limit -1", { q: "zebra", limit: "-1" }, "invalid_request"],
    ["offset 1001", { q: "zebra", offset: "1001" }, "offset_invalid"],
    ["from yesterday (a word)", { q: "zebra", from: "yesterday" }, "invalid_request"],
    ["an unknown state", { q: "zebra", state: "sleeping" }, "invalid_request"],
    ["a NUL in q", { q: "zebra\u0000" }, "nul_character"],
  ] as [string, Record<string, string>, string][])("%s is 400 %s", async (_name, params, code) => {
    const error = errorOf(await search(params), 400);
    expect(error.code).toBe(code);
    expect(error.message).not.toMatch(/tsquery|syntax|postgres|select/i);
  });

  test("without credentials: 401", async () => {
    const response = await server.send("GET", "/search?q=zebra", undefined, {});
    expect(errorOf(response, 401).code).toBeDefined();
  });
});

describe("filters", () => {
  const ids = async (params: Record<string, string>) =>
    (await results({ q: "zebra", ...params })).results.map((hit) => hit.session.id).sort();
  const today = new Date().toISOString().slice(0, 10);
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

  test("every session that printed the word, best first", async () => {
    expect(await ids({})).toEqual([colours.id, other.id, running.id].sort());
  });

  test.each([
    ["provider", () => ({ provider: "shell" }), () => [colours.id, other.id, running.id]],
    ["another provider", () => ({ provider: "claude" }), () => []],
    ["state", () => ({ state: "running" }), () => [running.id]],
    ["state ended", () => ({ state: "ended" }), () => [colours.id, other.id]],
    ["folder", () => ({ cwd: otherDir }), () => [other.id]],
    ["folder with a slash", () => ({ cwd: `${otherDir}/` }), () => [other.id]],
    [
      "folder and those under it",
      () => ({ cwd: "/tmp" }),
      () => [colours.id, other.id, running.id],
    ],
    ["a folder's prefix is not its parent", () => ({ cwd: otherDir.slice(0, -1) }), () => []],
    ["user", () => ({ user: "alice" }), () => [other.id]],
    ["from tomorrow", () => ({ from: tomorrow }), () => [running.id]],
    ["to yesterday", () => ({ to: yesterday }), () => []],
    ["today", () => ({ from: today, to: today }), () => [colours.id, other.id, running.id]],
  ] as [string, () => Record<string, string>, () => string[]][])(
    "by %s",
    async (_name, params, expected) => {
      expect(await ids(params())).toEqual(expected().sort());
    },
  );

  test("pages: limit and nextOffset", async () => {
    const first = await results({ q: "zebra", limit: "2" });
    expect(first.results).toHaveLength(2);
    expect(first.nextOffset).toBe(2);
    const second = await results({ q: "zebra", limit: "2", offset: "2" });
    expect(second.results).toHaveLength(1);
    expect(second.nextOffset).toBeNull();
    const all = [...first.results, ...second.results].map((hit) => hit.session.id);
    expect(new Set(all).size).toBe(3);
  });
});

describe("who may search", () => {
  test("a viewer finds what everyone may list, the same as an admin", async () => {
    const asViewer = await results({ q: "zebra" }, viewer);
    const asAdmin = await results({ q: "zebra" });
    expect(asViewer).toEqual(asAdmin);
    const asAlice = await results({ q: "giraffe" }, alice);
    expect(asAlice.results.map((hit) => hit.session.id)).toEqual([colours.id]);
  });
});

describe("where the indexer reads", () => {
  test("output nobody watches is indexed (with PTY_HOST=auto: read from the PTY host)", async () => {
    // No viewer: with a PTY host, the server's copy of the ring is dropped after MIRROR_GRACE,
    // and the indexer asks the host for the bytes.
    const unwatched = await startTestServer({
      env: { ...BUDGETS, MIRROR_GRACE: "50ms" },
      ...FAST,
    });
    try {
      await unwatched.spawnShell(
        'sleep 0.5; for i in $(seq 1 2000); do echo "wombat$i"; done; sleep 60',
      );
      await eventually(
        async () => {
          const response = await unwatched.send(
            "GET",
            "/search?q=wombat2000",
            undefined,
            unwatched.auth,
          );
          return bodyOf(response, 200, searchResponseSchema).results.length > 0 ? true : undefined;
        },
        "the unwatched output to be indexed",
        15_000,
      );
      const first = await unwatched.send("GET", "/search?q=wombat1", undefined, unwatched.auth);
      expect(bodyOf(first, 200, searchResponseSchema).results).toHaveLength(1);
    } finally {
      await unwatched.dispose();
    }
  }, 60_000);
});

describe("output a server did not index", () => {
  test("a session that ended unindexed is indexed from its scrollback file at the next start", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "opendray-search-restart-"));
    // The first server indexes nothing (as a server before this feature, or one that was down).
    const first = await startTestServer({
      env: { ...BUDGETS, DATA_DIR: dataDir, SEARCH_INDEX_LIMIT: "0" },
    });
    try {
      const session = await first.spawnShell("printf 'narwhal \\033[33mtusk\\033[0m\\n'");
      await eventually(async () => {
        const { state } = await first.getSession(session.id);
        return state === "ended" ? true : undefined;
      }, "the session to end");
      await first.close();
      const second = await startTestServer({
        env: { ...BUDGETS, DATA_DIR: dataDir },
        reuse: { database: first.database, dataDir },
        ...FAST,
      });
      try {
        const found = await eventually(async () => {
          const response = await second.send("GET", "/search?q=narwhal", undefined, second.auth);
          const { results: hits } = bodyOf(response, 200, searchResponseSchema);
          return hits.length > 0 ? hits : undefined;
        }, "the scrollback to be indexed at start-up");
        expect(found.map((hit) => hit.session.id)).toEqual([session.id]);
        expect(found[0]?.snippet).toBe(`${MATCH_START}narwhal${MATCH_END} tusk`);
      } finally {
        await second.close();
      }
    } finally {
      await first.database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("retention", () => {
  test("deleting a session deletes its indexed text", async () => {
    const doomed = await server.spawnShell("printf 'okapi doomed\\n'");
    await ended(doomed);
    await indexed("okapi");
    const response = await server.request("DELETE", `/sessions/${doomed.id}`);
    expect(response.status).toBe(204);
    const rows = await queryRows<{ n: number | string }>(
      server.db.db,
      sql`select count(*) as n from session_output_text where session_id = ${doomed.id}`,
    );
    expect(Number(rows[0]?.n)).toBe(0);
    expect((await results({ q: "okapi" })).results).toEqual([]);
  });

  test("SEARCH_INDEX_LIMIT keeps the newest text of a session within it", async () => {
    const limited = await startTestServer({
      env: { ...BUDGETS, SEARCH_INDEX_LIMIT: "8kb" },
      ...FAST,
    });
    try {
      const session = await limited.spawnShell(
        'for i in $(seq 1 3000); do echo "line$i marker"; done',
      );
      const last = () =>
        limited
          .send("GET", "/search?q=line3000", undefined, limited.auth)
          .then((response) => bodyOf(response, 200, searchResponseSchema));
      const indexedBytes = async () => {
        const [size] = await queryRows<{ bytes: number | string | null }>(
          limited.db.db,
          sql`select sum(octet_length(text)) as bytes from session_output_text where session_id = ${session.id}`,
        );
        return Number(size?.bytes ?? 0);
      };
      // Each insert is followed by the trim: wait for both (a trim that never comes times out).
      const bytes = await eventually(
        async () => {
          if ((await last()).results.length === 0) return undefined;
          const held = await indexedBytes();
          return held <= 8 * 1024 ? held : undefined;
        },
        "the last line to be indexed, within the limit",
        15_000,
      );
      expect(bytes).toBeGreaterThan(2 * 1024);
      const first = await limited.send("GET", "/search?q=line1", undefined, limited.auth);
      expect(bodyOf(first, 200, searchResponseSchema).results).toEqual([]);
    } finally {
      await limited.dispose();
    }
  }, 60_000);

  test("SEARCH_INDEX_LIMIT=0 indexes nothing, and search answers with no results", async () => {
    const off = await startTestServer({ env: { ...BUDGETS, SEARCH_INDEX_LIMIT: "0" }, ...FAST });
    try {
      const session = await off.spawnShell("printf 'tapir unindexed\\n'");
      await eventually(async () => {
        const { state } = await off.getSession(session.id);
        return state === "ended" ? true : undefined;
      }, "the session to end");
      // Passes of an indexer would have run many times by now.
      await Bun.sleep(300);
      const response = await off.send("GET", "/search?q=tapir", undefined, off.auth);
      expect(bodyOf(response, 200, searchResponseSchema).results).toEqual([]);
      const rows = await queryRows<{ n: number | string }>(
        off.db.db,
        sql`select count(*) as n from session_output_text`,
      );
      expect(Number(rows[0]?.n)).toBe(0);
    } finally {
      await off.dispose();
    }
  }, 60_000);
});
