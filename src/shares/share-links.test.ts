// The share links on a migrated database of the configured kind, with a clock a test advances:
// what a link opens, and how its open streams are ended (revocation, expiry, late registration).

import { expect, test } from "bun:test";
import { insertSessionRow, withMigratedDatabase } from "../../test/support/database.ts";
import { createManualTimers } from "../../test/support/manual-timers.ts";
import type { Actor } from "../cause.ts";
import type { Database } from "../db/client.ts";
import { createShareLinksRepo } from "../db/share-links-repo.ts";
import { createShareLinks, hashToken, type ShareAction } from "./share-links.ts";

const START_MS = Date.parse("2026-01-02T12:00:00.000Z");
const ADMIN: Actor = { username: "admin", address: "192.0.2.1" };

let database: Database;
withMigratedDatabase((opened) => {
  database = opened;
});

async function setUp() {
  const id = crypto.randomUUID();
  await insertSessionRow(database.db, id, new Date(START_MS));
  const timers = createManualTimers();
  const shares = createShareLinks({
    repo: createShareLinksRepo(database.db),
    now: () => START_MS + timers.now(),
    timers,
  });
  const actions: ShareAction[] = [];
  shares.onAction((action) => actions.push(action));
  return { sessionId: id, timers, shares, actions };
}

test("a link opens its own session until it expires; the token is hashed and never reported", async () => {
  const { sessionId, timers, shares, actions } = await setUp();
  const link = await shares.create(sessionId, { expiresIn: 120 }, ADMIN);
  expect(link.expiresAt).toBe(new Date(START_MS + 120_000).toISOString());
  const opened = await shares.open(sessionId, link.token, "198.51.100.7", "page");
  expect(opened.tokenHash).toBe(hashToken(link.token));
  await expect(shares.open(crypto.randomUUID(), link.token, "x", "page")).rejects.toThrow(
    "this link does not exist",
  );
  timers.advance(120_000);
  await expect(shares.open(sessionId, link.token, "x", "page")).rejects.toThrow();
  expect(actions.map((a) => a.type)).toEqual([
    "share.created",
    "share.opened",
    "share.refused",
    "share.refused",
  ]);
  expect(JSON.stringify(actions)).not.toContain(link.token);
});

test("revoking ends the link's streams, not another's; expiry ends the rest when it comes", async () => {
  const { sessionId, timers, shares } = await setUp();
  const revoked = await shares.create(sessionId, { expiresIn: 600 }, ADMIN);
  const expiring = await shares.create(sessionId, { expiresIn: 60 }, ADMIN);
  const rowOf = (token: string) => shares.open(sessionId, token, "x", "stream");
  const ended: string[] = [];
  shares.watch(await rowOf(revoked.token), () => ended.push("revoked-1"));
  shares.watch(await rowOf(revoked.token), () => ended.push("revoked-2"));
  const unwatch = shares.watch(await rowOf(expiring.token), () => ended.push("closed early"));
  shares.watch(await rowOf(expiring.token), () => ended.push("expired"));
  expect(timers.pending).toBe(2);
  unwatch();
  await shares.revoke(sessionId, revoked.id, ADMIN);
  expect(ended).toEqual(["revoked-1", "revoked-2"]);
  timers.advance(59_999);
  expect(ended).toEqual(["revoked-1", "revoked-2"]);
  timers.advance(1);
  expect(ended).toEqual(["revoked-1", "revoked-2", "expired"]);
  expect(shares.openStreams).toBe(0);
  expect(timers.pending).toBe(0);
});

test("a stream registered after its link was revoked (it opened just before) ends at once", async () => {
  const { sessionId, shares } = await setUp();
  const link = await shares.create(sessionId, {}, ADMIN);
  const row = await shares.open(sessionId, link.token, "x", "stream");
  await shares.revoke(sessionId, link.id, ADMIN);
  let ended = false;
  shares.watch(row, () => {
    ended = true;
  });
  expect(ended).toBe(true);
  expect(shares.openStreams).toBe(0);
});

test("revoking another session's link, or one that does not exist, is share_not_found", async () => {
  const { sessionId, shares } = await setUp();
  const other = await setUp();
  const link = await shares.create(sessionId, {}, ADMIN);
  await expect(shares.revoke(other.sessionId, link.id, ADMIN)).rejects.toThrow(
    "this link does not exist",
  );
  await expect(shares.revoke(sessionId, crypto.randomUUID(), ADMIN)).rejects.toThrow();
  expect((await shares.list(sessionId))[0]?.active).toBe(true);
});

test("revoking twice keeps the first time and reports it once", async () => {
  const { sessionId, timers, shares, actions } = await setUp();
  const link = await shares.create(sessionId, {}, ADMIN);
  await shares.revoke(sessionId, link.id, ADMIN);
  const first = (await shares.list(sessionId))[0]?.revokedAt;
  timers.advance(5000);
  await shares.revoke(sessionId, link.id, ADMIN);
  expect((await shares.list(sessionId))[0]?.revokedAt).toBe(first ?? "missing");
  expect(actions.filter((a) => a.type === "share.revoked")).toHaveLength(1);
});

test("via recording opens a recording link only; a live link is refused there as any token is", async () => {
  const { sessionId, shares, actions } = await setUp();
  const live = await shares.create(sessionId, { mode: "live" }, ADMIN);
  const recording = await shares.create(sessionId, { mode: "recording" }, ADMIN);
  const opened = await shares.open(sessionId, recording.token, "198.51.100.7", "recording");
  expect(opened.id).toBe(recording.id);
  await expect(shares.open(sessionId, live.token, "198.51.100.7", "recording")).rejects.toThrow(
    "this link does not exist",
  );
  // The live link still opens its page and stream.
  expect((await shares.open(sessionId, live.token, "198.51.100.7", "stream")).id).toBe(live.id);
  expect(actions.slice(2).map(({ type, shareId, detail }) => ({ type, shareId, detail }))).toEqual([
    { type: "share.opened", shareId: recording.id, detail: { via: "recording" } },
    { type: "share.refused", shareId: null, detail: { via: "recording" } },
    { type: "share.opened", shareId: live.id, detail: { via: "stream" } },
  ]);
});
