import { afterEach, expect, test } from "bun:test";
import { ApiError, createApiClient } from "./http.ts";

const realFetch = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = realFetch;
});

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const signedOut = () => json(401, { error: { code: "invalid_token", message: "expired" } });

/** A fetch whose answers the test gives, one path at a time. */
function scriptedFetch() {
  const waiting = new Map<string, (response: Response) => void>();
  globalThis.fetch = ((input: string | URL | Request) =>
    new Promise<Response>((resolve) => {
      waiting.set(String(input), resolve);
    })) as typeof fetch;
  return (path: string, response: Response) => {
    const answer = waiting.get(`/api/v1${path}`);
    if (!answer) throw new Error(`no request for ${path}`);
    waiting.delete(`/api/v1${path}`);
    answer(response);
  };
}

const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

test("a 401 to a request sent before a password change succeeded does not sign out", async () => {
  const answer = scriptedFetch();
  let expired = 0;
  const api = createApiClient(() => expired++);
  const change = api.changePassword("old password long", "new password long");
  const me = api.me();
  answer("/auth/me", signedOut());
  await expect(me).rejects.toBeInstanceOf(ApiError);
  answer("/auth/password", json(200, { token: "t", expiresAt: "", user: {} }));
  await change;
  await settled();
  expect(expired).toBe(0);
});

test("a 401 while a password change fails, or with none going on, signs out", async () => {
  const answer = scriptedFetch();
  let expired = 0;
  const api = createApiClient(() => expired++);
  const change = api.changePassword("old password long", "new password long");
  const me = api.me();
  answer("/auth/me", signedOut());
  await expect(me).rejects.toBeInstanceOf(ApiError);
  answer("/auth/password", json(429, { error: { code: "rate_limited", message: "later" } }));
  await expect(change).rejects.toBeInstanceOf(ApiError);
  await settled();
  expect(expired).toBe(1);

  const again = api.sessions();
  answer("/sessions", signedOut());
  await expect(again).rejects.toBeInstanceOf(ApiError);
  await settled();
  expect(expired).toBe(2);
});

test("a wrong current password is not an expired sign-in", async () => {
  const answer = scriptedFetch();
  let expired = 0;
  const api = createApiClient(() => expired++);
  const change = api.changePassword("wrong password here", "new password long");
  answer(
    "/auth/password",
    json(401, { error: { code: "invalid_credentials", message: "wrong username or password" } }),
  );
  await expect(change).rejects.toMatchObject({ status: 401, code: "invalid_credentials" });
  await settled();
  expect(expired).toBe(0);
});
