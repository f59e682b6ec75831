import { expect, test } from "bun:test";
import type { AccountActionType } from "../auth/account-actions.ts";
import type { AuditEntry } from "../db/audit-repo.ts";
import {
  ACCOUNT_AUDIT_ACTIONS,
  accountAuditEntry,
  auditEntryOf,
  createAuditRecorder,
  sessionAuditEntry,
} from "./recorder.ts";

const SESSION = "0d5c4a8e-0000-4000-8000-000000000001";

test.each([
  [
    "a request's action carries its user, address and channel",
    {
      type: "session.answered",
      actor: { username: "admin", address: "203.0.113.5", channel: "push" },
      detail: { option: 1 },
    },
    {
      actor: "admin",
      clientIp: "203.0.113.5",
      action: "session.answer",
      detail: { channel: "push", option: 1 },
    },
  ],
  [
    "the server's own action has no actor and says why",
    { type: "session.interrupted", actor: null, detail: { reason: "host_lost" } },
    {
      actor: null,
      clientIp: null,
      action: "session.interrupt",
      detail: { reason: "host_lost" },
    },
  ],
] as const)("%s", (_name, action, row) => {
  expect(sessionAuditEntry({ ...action, sessionId: SESSION })).toEqual({
    ...row,
    target: SESSION,
    outcome: "ok",
  });
});

test("a failed write is logged, never thrown, and settled() still resolves", async () => {
  const errors: string[] = [];
  const recorder = createAuditRecorder({
    append: () => Promise.reject(new Error("database unavailable")),
    onError: (_error, context) => errors.push(context),
  });
  recorder.record({ type: "session.stopped", sessionId: SESSION, actor: null, detail: {} });
  await recorder.settled();
  expect(errors).toEqual(["writing the audit row for session.stop"]);
});

test("settled() waits for the rows started before it", async () => {
  const written: AuditEntry[] = [];
  let release = () => {};
  const recorder = createAuditRecorder({
    append: (entry) =>
      new Promise((resolve) => {
        release = () => resolve(void written.push(entry));
      }),
    onError: () => {},
  });
  recorder.record({ type: "session.deleted", sessionId: SESSION, actor: null, detail: {} });
  let settled = false;
  const waiting = recorder.settled().then(() => {
    settled = true;
  });
  await Bun.sleep(5);
  expect(settled).toBe(false);
  release();
  await waiting;
  expect(written.map((entry) => entry.action)).toEqual(["session.delete"]);
});

test("settled() gives up after its timeout when a write hangs", async () => {
  const recorder = createAuditRecorder({ append: () => new Promise(() => {}), onError: () => {} });
  recorder.record({ type: "session.renamed", sessionId: SESSION, actor: null, detail: {} });
  const started = performance.now();
  await recorder.settled(20);
  expect(performance.now() - started).toBeLessThan(1000);
});

const USER = "0d5c4a8e-0000-4000-8000-000000000002";

test.each(Object.entries(ACCOUNT_AUDIT_ACTIONS) as [AccountActionType, string][])(
  "account event %s is the row %s, by its actor, on the account (a sign-in on none)",
  (type, action) => {
    const actor = { username: "admin", address: "127.0.0.1" };
    expect(accountAuditEntry({ type, userId: USER, actor, detail: {} })).toEqual({
      actor: "admin",
      clientIp: "127.0.0.1",
      action,
      target: type === "account.signed_in" ? null : USER,
      outcome: "ok",
      detail: {},
    });
  },
);

test("the first admin from ADMIN_USERNAME has no actor and says why", () => {
  const action = {
    type: "account.created",
    userId: USER,
    actor: null,
    detail: { reason: "server_start" },
  } as const;
  expect(accountAuditEntry(action)).toMatchObject({
    actor: null,
    clientIp: null,
    action: "user.create",
    detail: { reason: "server_start" },
  });
});

test("a provider change is a provider.update row on the provider", () => {
  const actor = { username: "admin", address: "127.0.0.1" };
  expect(
    auditEntryOf({ type: "provider.updated", providerId: "claude", actor, detail: {} }),
  ).toEqual({
    actor: "admin",
    clientIp: "127.0.0.1",
    action: "provider.update",
    target: "claude",
    outcome: "ok",
    detail: {},
  });
});
