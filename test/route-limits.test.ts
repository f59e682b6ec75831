// Which per-user budget each signed-in route spends, as each route module declares it: every read
// (and what no route answers) a read, every change to a session a session operation, an upload
// one of the uploads, and other changes none. The budgets' numbers and refusals are in security.test.ts and metrics.test.ts.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "./support/server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    env: {
      RATE_LIMIT_READS: "1000/min",
      RATE_LIMIT_SESSION_OPS: "500/min",
      RATE_LIMIT_UPLOADS: "250/min",
    },
  });
}, 60_000);
afterAll(() => server.dispose());

const NO_SESSION = "00000000-0000-4000-8000-000000000000";
const NO_USER = "00000000-0000-4000-8000-000000000001";

const LIMIT = {
  reads: "1000",
  "session operations": "500",
  uploads: "250",
  "no budget": null,
} as const;

test.each([
  ["GET", "/auth/me", "reads", undefined],
  ["GET", "/users", "reads", undefined],
  ["GET", "/audit", "reads", undefined],
  ["GET", "/providers", "reads", undefined],
  ["GET", "/providers/shell", "reads", undefined],
  ["GET", "/fs/home", "reads", undefined],
  ["GET", "/push/key", "reads", undefined],
  ["GET", "/push/subscriptions", "reads", undefined],
  ["GET", "/notifications/settings", "reads", undefined],
  ["GET", "/sessions", "reads", undefined],
  ["HEAD", "/sessions", "reads", undefined],
  ["GET", `/sessions/${NO_SESSION}`, "reads", undefined],
  ["GET", `/sessions/${NO_SESSION}/files`, "reads", undefined],
  ["GET", `/sessions/${NO_SESSION}/files/content?path=a`, "reads", undefined],
  ["GET", `/sessions/${NO_SESSION}/files/archive`, "reads", undefined],
  ["GET", "/sessions/not-a-uuid/files", "reads", undefined],
  ["GET", `/sessions/${NO_SESSION}/changes`, "reads", undefined],
  ["GET", "/sessions/not-a-uuid/changes", "reads", undefined],
  ["GET", `/sessions/${NO_SESSION}/shares`, "reads", undefined],
  ["GET", "/no-such-route", "reads", undefined],
  ["POST", "/sessions", "session operations", { provider: "shell", cwd: "/nonexistent" }],
  ["POST", `/sessions/${NO_SESSION}/stop`, "session operations", undefined],
  ["POST", "/sessions/not-a-uuid/stop", "session operations", undefined],
  ["PATCH", `/sessions/${NO_SESSION}`, "session operations", { name: "x" }],
  ["DELETE", `/sessions/${NO_SESSION}`, "session operations", undefined],
  ["POST", `/sessions/${NO_SESSION}/shares`, "session operations", {}],
  ["DELETE", `/sessions/${NO_SESSION}/shares/${NO_USER}`, "session operations", undefined],
  ["POST", `/sessions/${NO_SESSION}/uploads?name=a.txt`, "uploads", undefined],
  ["POST", "/sessions/not-a-uuid/uploads?name=a.txt", "uploads", undefined],
  ["POST", "/users", "no budget", { username: "x" }],
  ["DELETE", `/users/${NO_USER}`, "no budget", undefined],
  ["PATCH", "/providers/shell", "no budget", { enabled: "no" }],
  ["PUT", "/notifications/settings", "no budget", { activities: 1 }],
] as const)("%s %s spends %s", async (method, path, budget, body) => {
  const response = await server.request(method, path, body);
  expect(response.headers.get("x-ratelimit-limit")).toBe(LIMIT[budget]);
});
