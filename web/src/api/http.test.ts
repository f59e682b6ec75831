import { afterEach, expect, test } from "bun:test";
import { ApiError, createApiClient } from "./http.ts";

const realFetch = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = realFetch;
});

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const signedOut = () => json(401, { error: { code: "invalid_token", message: "expired" } });

/** An API client over a fetch whose answers the test gives, one path at a time. */
function scriptedClient() {
  const waiting = new Map<string, (response: Response) => void>();
  globalThis.fetch = ((input: string | URL | Request) =>
    new Promise<Response>((resolve) => {
      waiting.set(String(input), resolve);
    })) as typeof fetch;
  let expired = 0;
  return {
    api: createApiClient(() => expired++),
    answer(path: string, response: Response) {
      const answer = waiting.get(`/api/v1${path}`);
      if (!answer) throw new Error(`no request for ${path}`);
      waiting.delete(`/api/v1${path}`);
      answer(response);
    },
    /** How often the client has signed out, once what is under way has settled. */
    signOuts: async () => {
      await new Promise((resolve) => setTimeout(resolve, 0));
      return expired;
    },
  };
}

/** A password change still waiting for its answer when another request is refused with 401. */
async function changeOutlivingA401() {
  const client = scriptedClient();
  const change = client.api.changePassword("old password long", "new password long");
  const me = client.api.me();
  client.answer("/auth/me", signedOut());
  await expect(me).rejects.toBeInstanceOf(ApiError);
  return { ...client, change };
}

test("a 401 to a request sent before a password change succeeded does not sign out", async () => {
  const { answer, change, signOuts } = await changeOutlivingA401();
  answer("/auth/password", json(200, { token: "t", expiresAt: "", user: {} }));
  await change;
  expect(await signOuts()).toBe(0);
});

test("a 401 while a password change fails, or with none going on, signs out", async () => {
  const { api, answer, change, signOuts } = await changeOutlivingA401();
  answer("/auth/password", json(429, { error: { code: "rate_limited", message: "later" } }));
  await expect(change).rejects.toBeInstanceOf(ApiError);
  expect(await signOuts()).toBe(1);

  const again = api.sessions();
  answer("/sessions", signedOut());
  await expect(again).rejects.toBeInstanceOf(ApiError);
  expect(await signOuts()).toBe(2);
});

test("a wrong current password is not an expired sign-in", async () => {
  const { api, answer, signOuts } = scriptedClient();
  const change = api.changePassword("wrong password here", "new password long");
  answer(
    "/auth/password",
    json(401, { error: { code: "invalid_credentials", message: "wrong username or password" } }),
  );
  await expect(change).rejects.toMatchObject({ status: 401, code: "invalid_credentials" });
  expect(await signOuts()).toBe(0);
});
