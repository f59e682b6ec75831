// Sign-in limits and who may spend them (DESIGN §3, §8), against the real server behind a trusted
// proxy (client addresses from X-Forwarded-For): padded spellings of a name share its budgets,
// password changes are throttled like sign-ins, a page on another origin spends nobody's budget,
// anonymous requests never lock out a signed-in user, and only admins list the accounts.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ConfigError, loadConfig } from "../src/config.ts";
import { loginResultSchema } from "../src/protocol/auth.ts";
import { errorBodySchema } from "../src/protocol/errors.ts";
import {
  auditListSchema,
  bodyOf,
  errorOf,
  readResponse,
  userListSchema,
} from "./support/responses.ts";
import { ADMIN, startTestServer, type TestServer } from "./support/server.ts";

const PASSWORD = ADMIN.password;

/** Every spelling that the name `name` must be counted, looked up and audited as. */
const spellings = (name: string) => [
  `  ${name}`,
  `${name}\t`,
  `\u00a0${name.toUpperCase()}\u00a0`,
  `\u3000${name}\u3000`,
  // Full-width letters (U+FF41…), which NFKC folds to ASCII.
  [...name].map((ch) => String.fromCodePoint((ch.codePointAt(0) ?? 0) + 0xfee0)).join(""),
];

/** An address of TEST-NET-2, one per `n`. */
const address = (n: number) => `198.51.100.${n}`;

let strict: TestServer;
let defaults: TestServer;
let rooted: TestServer;

beforeAll(async () => {
  [strict, defaults, rooted] = await Promise.all([
    // Five attempts an hour in every budget: no budget refills while a test runs.
    startTestServer({
      env: { TRUST_PROXY: "1" },
      loginLimit: { count: 5, perMs: 3_600_000 },
    }),
    startTestServer({
      env: { TRUST_PROXY: "1", RATE_LIMIT_READS: "60/min", RATE_LIMIT_SESSION_OPS: "10/min" },
    }),
    startTestServer({
      noAdmin: true,
      env: { ADMIN_USERNAME: "\u3000Root\u00a0", ADMIN_PASSWORD: PASSWORD },
    }),
  ]);
}, 60_000);
afterAll(() => Promise.all([strict?.dispose(), defaults?.dispose(), rooted?.dispose()]));

/** POST /auth/login from `from` (a JSON body, as the UI sends it). */
const signIn = (server: TestServer, username: string, password: string, from: string) =>
  server.send("POST", "/auth/login", { username, password }, { "x-forwarded-for": from });

/** A new account, created by the admin without signing it in (which would spend its budget). */
async function addUser(server: TestServer, username: string, role: "admin" | "viewer") {
  const created = await server.request("POST", "/users", { username, password: PASSWORD, role });
  expect(created.status).toBe(201);
}

/** The statuses of `attempts` in order, each awaited before the next. */
async function statuses(attempts: (() => Promise<{ status: number }>)[]): Promise<number[]> {
  const result: number[] = [];
  for (const attempt of attempts) result.push((await attempt()).status);
  return result;
}

/**
 * Index of the first 429 among up to `max` calls of `attempt(i)`, and how many whole tokens of a
 * `perMs` budget may have come back while they ran.
 */
async function first429(
  max: number,
  perTokenMs: number,
  attempt: (i: number) => Promise<{ status: number }>,
): Promise<{ index: number; refilled: number }> {
  const started = performance.now();
  for (let i = 0; i < max; i++) {
    if ((await attempt(i)).status === 429) {
      return { index: i, refilled: Math.ceil((performance.now() - started) / perTokenMs) };
    }
  }
  return { index: -1, refilled: 0 };
}

describe("names are counted in their normal form", () => {
  test("padded, upper-case and full-width spellings from one address share one budget, and the audit rows name the account", async () => {
    await addUser(strict, "carol", "viewer");
    const from = address(1);
    const tries = spellings("carol").map((name) => () => signIn(strict, name, "wrong", from));
    expect(await statuses(tries)).toEqual([401, 401, 401, 401, 401]);
    const sixth = await signIn(strict, "carol", PASSWORD, from);
    expect(errorOf(sixth, 429).code).toBe("rate_limited");

    const audit = await strict.request("GET", "/audit?limit=50");
    const { entries } = bodyOf(audit, 200, auditListSchema);
    const rows = entries.filter((e) => e.action === "auth.login" && e.clientIp === from);
    // The refused sixth attempt writes no row: a throttled flood costs no database writes.
    expect(rows.map((e) => [e.actor, e.outcome])).toEqual(
      Array.from({ length: 5 }, () => ["carol", "denied"]),
    );
  });

  test("padded spellings from many addresses share the name's budget", async () => {
    await addUser(strict, "dave", "viewer");
    const tries = spellings("dave").map(
      (name, i) => () => signIn(strict, name, "wrong", address(10 + i)),
    );
    expect(await statuses(tries)).toEqual([401, 401, 401, 401, 401]);
    // The right password, spelled plainly, from an address that never tried: the name is spent.
    const plain = await signIn(strict, "dave", PASSWORD, address(20));
    expect(plain.status).toBe(429);
  });

  test("every spelling signs in to the same account", async () => {
    await addUser(strict, "Erin", "viewer");
    const [padded, fullWidth] = [spellings("erin")[3] ?? "", spellings("erin")[4] ?? ""];
    for (const [i, name] of [padded, fullWidth].entries()) {
      const response = await signIn(strict, name, PASSWORD, address(30 + i));
      expect(bodyOf(response, 200, loginResultSchema).user.username).toBe("Erin");
    }
  });

  test("an account cannot be created twice under names equal once normalised", async () => {
    await addUser(strict, "henry", "viewer");
    for (const username of spellings("henry")) {
      const again = await strict.request("POST", "/users", {
        username,
        password: PASSWORD,
        role: "admin",
      });
      // Every spelling reported whole, also one that was wrongly let through (no error then).
      const code = errorBodySchema.safeParse(again.body).data?.error.code;
      expect([username, again.status, code]).toEqual([username, 409, "username_taken"]);
    }
  });

  test("ADMIN_USERNAME is stored in its canonical form", async () => {
    const token = await rooted.login("root", PASSWORD);
    const users = await rooted.send("GET", "/users", undefined, {
      authorization: `Bearer ${token}`,
    });
    const { users: listed } = bodyOf(users, 200, userListSchema);
    expect(listed.map((u) => u.username)).toEqual(["Root"]);
    expect(() =>
      loadConfig({ ADMIN_USERNAME: "ad min", ADMIN_PASSWORD: PASSWORD, DATA_DIR: "/tmp" }),
    ).toThrow(ConfigError);
  });
});

describe("sign-in budgets at their default numbers", () => {
  test("5 failures from one address lock that address out of the name, not the owner at another address", async () => {
    await addUser(defaults, "ivan", "admin");
    const attacker = address(40);
    const tries = Array.from({ length: 6 }, () => () => signIn(defaults, "ivan", "x", attacker));
    expect(await statuses(tries)).toEqual([401, 401, 401, 401, 401, 429]);
    const owner = await signIn(defaults, "ivan", PASSWORD, address(41));
    expect(owner.status).toBe(200);
    expect(owner.headers.get("x-ratelimit-limit")).toBe("5");
    expect(owner.headers.get("x-ratelimit-remaining")).toBe("4");
  });

  test("one address gets 20 attempts a minute across names", async () => {
    const from = address(50);
    // One token comes back every 3 s; allow for those that did while the loop ran.
    const { index, refilled } = await first429(40, 3000, (i) =>
      signIn(defaults, `nobody${i}`, "x", from),
    );
    expect(index).toBeGreaterThanOrEqual(20);
    expect(index).toBeLessThanOrEqual(20 + refilled);
  });

  test("one name gets 20 attempts a minute across addresses", async () => {
    const { index, refilled } = await first429(40, 3000, (i) =>
      signIn(defaults, "target", "x", `203.0.113.${i + 1}`),
    );
    expect(index).toBeGreaterThanOrEqual(20);
    expect(index).toBeLessThanOrEqual(20 + refilled);
  });
});

describe("password changes", () => {
  test("guessing the current password with a stolen token is throttled like a sign-in", async () => {
    await addUser(defaults, "judy", "viewer");
    const { token } = bodyOf(
      await signIn(defaults, "judy", PASSWORD, address(60)),
      200,
      loginResultSchema,
    );
    const thief = { authorization: `Bearer ${token}`, "x-forwarded-for": address(61) };
    const change = (currentPassword: string) =>
      defaults.send(
        "POST",
        "/auth/password",
        { currentPassword, newPassword: "the thief's new password" },
        thief,
      );
    const guesses = Array.from({ length: 5 }, (_, i) => () => change(`guess ${i}`));
    expect(await statuses(guesses)).toEqual([401, 401, 401, 401, 401]);
    // The sixth, even with the right password, is refused: the budget is spent.
    const sixth = await change(PASSWORD);
    expect(errorOf(sixth, 429).code).toBe("rate_limited");
    expect(Number(sixth.headers.get("retry-after"))).toBeGreaterThan(0);
    // The password did not change.
    expect((await signIn(defaults, "judy", PASSWORD, address(62))).status).toBe(200);
  });
});

describe("nobody spends another's budget", () => {
  test("a cross-origin form or text/plain sign-in is refused with 415 before any budget is spent", async () => {
    const from = address(70);
    const foreign = { origin: "https://evil.example", "x-forwarded-for": from };
    const post = (body: BodyInit, type?: string) => () =>
      fetch(`${strict.api}/auth/login`, {
        method: "POST",
        headers: type === undefined ? foreign : { ...foreign, "content-type": type },
        body,
        keepalive: false,
      });
    const json = JSON.stringify({ username: "admin", password: "x" });
    const form = new FormData();
    form.set("username", "admin");
    form.set("password", "x");
    const simpleRequests = [
      post(json, "text/plain"),
      post(json, "text/plain;charset=UTF-8"),
      post("username=admin&password=x", "application/x-www-form-urlencoded"),
      post(form),
    ];
    const refused = await statuses([...simpleRequests, ...simpleRequests, ...simpleRequests]);
    expect(refused).toEqual(Array.from({ length: 12 }, () => 415));
    const one = await post(json, "text/plain")();
    expect(errorOf(await readResponse(one), 415).code).toBe("unsupported_media_type");
    // The admin, from the same address, signs in; the admin's name has spent only the test
    // server's own sign-in, so 3 of 5 remain.
    const admin = await signIn(strict, ADMIN.username, ADMIN.password, from);
    expect(admin.status).toBe(200);
    expect(admin.headers.get("x-ratelimit-remaining")).toBe("3");
  });

  test("malformed JSON sign-ins are 400 and spend their address's attempts", async () => {
    const from = address(75);
    const tries = Array.from(
      { length: 6 },
      (_, i) => () =>
        strict.send(
          "POST",
          "/auth/login",
          { username: `not a name ${i}` },
          { "x-forwarded-for": from },
        ),
    );
    expect(await statuses(tries)).toEqual([400, 400, 400, 400, 400, 429]);
  });

  test("requests without credentials exhaust only their address's anonymous budget", async () => {
    const from = address(80);
    // One read comes back every second; allow for those that did while the loop ran.
    const { index, refilled } = await first429(100, 1000, () =>
      defaults.send("GET", "/sessions", undefined, { "x-forwarded-for": from }),
    );
    expect(index).toBeGreaterThanOrEqual(60);
    expect(index).toBeLessThanOrEqual(60 + refilled);
    // The signed-in admin at the same address reads, and signs in again.
    const read = await defaults.send("GET", "/sessions", undefined, {
      ...defaults.auth,
      "x-forwarded-for": from,
    });
    expect(read.status).toBe(200);
    expect((await signIn(defaults, ADMIN.username, ADMIN.password, from)).status).toBe(200);
    // Another address without credentials still gets its 401.
    const elsewhere = await defaults.send("GET", "/sessions", undefined, {
      "x-forwarded-for": address(81),
    });
    expect(elsewhere.status).toBe(401);
  });

  test("each signed-in user has a read budget of their own", async () => {
    await addUser(defaults, "kate", "viewer");
    const from = address(90);
    const kate = {
      authorization: `Bearer ${bodyOf(await signIn(defaults, "kate", PASSWORD, from), 200, loginResultSchema).token}`,
      "x-forwarded-for": from,
    };
    const { index } = await first429(100, 1000, () =>
      defaults.send("GET", "/sessions", undefined, kate),
    );
    expect(index).toBeGreaterThanOrEqual(60);
    const admin = await defaults.send("GET", "/sessions", undefined, {
      ...defaults.auth,
      "x-forwarded-for": from,
    });
    expect(admin.status).toBe(200);
  });
});

describe("pages of other origins", () => {
  test("a sibling site's page that gets the cookie cannot read with it nor spend the user's reads", async () => {
    await addUser(defaults, "mia", "viewer");
    const from = address(110);
    const signedIn = await signIn(defaults, "mia", PASSWORD, from);
    const cookie = `od_token=${bodyOf(signedIn, 200, loginResultSchema).token}`;
    // What a page at http://other.localhost:9000 makes the browser send: the SameSite=Strict
    // cookie goes along (same site), Sec-Fetch-Site says where the request comes from.
    const sibling = { cookie, "sec-fetch-site": "same-site", "x-forwarded-for": from };
    const refused = await defaults.send("GET", "/sessions", undefined, sibling);
    expect(refused.status).toBe(401);
    for (let i = 0; i < 70; i++) await defaults.send("GET", "/sessions", undefined, sibling);
    // The user's own page (same-origin) still has its whole budget of 60 reads a minute.
    const own = { cookie, "sec-fetch-site": "same-origin", "x-forwarded-for": from };
    const { index } = await first429(100, 1000, () =>
      defaults.send("GET", "/sessions", undefined, own),
    );
    expect(index).toBeGreaterThanOrEqual(60);
  });
});

describe("the list of accounts", () => {
  test("is for admins: a viewer gets 403 forbidden", async () => {
    await addUser(defaults, "leo", "viewer");
    const { token } = bodyOf(
      await signIn(defaults, "leo", PASSWORD, address(100)),
      200,
      loginResultSchema,
    );
    const viewer = await defaults.send("GET", "/users", undefined, {
      authorization: `Bearer ${token}`,
    });
    expect(errorOf(viewer, 403).code).toBe("forbidden");
    expect((await defaults.request("GET", "/users")).status).toBe(200);
  });
});
