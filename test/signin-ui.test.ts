// Staying signed in, in real Chromium against real servers: a busy server (a real 429) at load
// shows a notice and retries instead of the sign-in form; a restart on the same DATA_DIR without
// JWT_SECRET keeps the page signed in, and keys typed meanwhile come back in the composer; the
// composer's draft survives a reload; six tabs share one /events socket that a closing leader
// hands over; one page load asks for each thing once.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, newPage, PHONE, signIn, WAIT_MS, waitForLine } from "./support/browser.ts";
import { ADMIN, eventually, startTestServer, type TestServer } from "./support/server.ts";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

type RunningTestServer = Awaited<ReturnType<typeof startTestServer>>;

const signedIn = (page: Page) => page.getByRole("button", { name: "Sign out" }).waitFor();

/** API paths (and "WS /api/v1/events") a page asks for, in order. */
function recordApi(page: Page): string[] {
  const seen: string[] = [];
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.pathname.startsWith("/api/") && request.resourceType() !== "websocket") {
      seen.push(`${request.method()} ${url.pathname}`);
    }
  });
  page.on("websocket", (socket) => seen.push(`WS ${new URL(socket.url()).pathname}`));
  return seen;
}

const count = (seen: string[], entry: string) => seen.filter((e) => e === entry).length;

describe("a busy server at load", () => {
  let server: RunningTestServer;
  beforeAll(async () => {
    // One read a second: quickly spent, quickly back.
    server = await startTestServer({ env: { RATE_LIMIT_READS: "1/s" } });
  }, 60_000);
  afterAll(() => server?.dispose());

  test("a 429 from /auth/me shows a notice, not the sign-in form, and recovers", async () => {
    const { page, context } = await newPage(browser);
    try {
      await signIn(page, server);
      // The admin's read budget (per user, the browser's and these requests alike) stays empty
      // until the page has shown its notice.
      let draining = true;
      const drain = (async () => {
        while (draining) await server.request("GET", "/auth/me");
      })();
      try {
        for (let attempt = 0; ; attempt++) {
          const first = page.waitForResponse((r) => r.url().endsWith("/api/v1/auth/me"));
          await page.reload();
          // The page's request may, rarely, win a token that just came back: reload again.
          if ((await first).status() === 429 || attempt === 3) break;
        }
        await page.getByRole("status").getByText("The server is busy, retrying…").waitFor();
        expect(await page.getByLabel("Password").count()).toBe(0);
      } finally {
        draining = false;
        await drain;
      }
      await signedIn(page);
      expect(new URL(page.url()).pathname).toBe("/");
      expect(
        await page
          .getByRole("status")
          .getByText(/retrying/)
          .count(),
      ).toBe(0);
    } finally {
      await context.close();
    }
  }, 60_000);
});

describe("signed in across a server restart", () => {
  let first: RunningTestServer;
  /** The server now running on first's port, DATA_DIR and database. */
  let running: RunningTestServer | undefined;
  afterAll(async () => {
    await running?.close();
    await first.database.drop();
    rmSync(first.dataDir, { recursive: true, force: true });
  });
  const restart = (env: Record<string, string> = {}) =>
    startTestServer({
      env: { LISTEN_ADDR: new URL(first.url).host, ...env },
      reuse: { database: first.database, dataDir: first.dataDir },
    });

  /** Sign in at the session's page, and check that keys reach its `exec cat`. */
  async function openLive(server: TestServer, sessionId: string) {
    const { page, context } = await newPage(browser, PHONE);
    await signIn(page, server, `/s/${sessionId}`);
    // Typed only once the stream is live: keys typed before go through another path (held).
    await page.waitForFunction(
      (id) =>
        (
          document.querySelector(`.terminal-host[data-session="${id}"]`) as
            | (HTMLElement & { terminal?: { status: { value: string } } })
            | null
        )?.terminal?.status.value === "live",
      sessionId,
    );
    await page.locator(".xterm-helper-textarea").focus();
    await page.keyboard.type("echo delivered\r");
    await waitForLine(page, sessionId, "^echo delivered$");
    return { page, context };
  }

  /** Stop `server` and type `line` into the page's terminal while it is down. */
  async function typeWhileDown(page: Page, server: TestServer, line: string) {
    await server.close();
    await page.getByText("reconnecting…").waitFor();
    await page.locator(".xterm-helper-textarea").focus();
    await page.keyboard.type(`${line}\r`);
  }

  /**
   * Waits until the composer holds `text`. Keys typed after a refused attempt handed the first
   * ones over wait for the next refusal (up to the back-off later), then join them.
   */
  const composerHas = (page: Page, text: string) =>
    page.waitForFunction(
      (expected) =>
        (
          document.querySelector(
            '[aria-label="Compose text for the terminal"]',
          ) as HTMLTextAreaElement | null
        )?.value === expected,
      text,
      { timeout: WAIT_MS },
    );

  test("the page stays signed in, and keys typed while down come back in the composer", async () => {
    first = await startTestServer();
    running = first;
    const session = await first.spawnShell("exec cat");
    const opened = await openLive(first, session.id);
    const { context } = opened;
    let page = opened.page;
    try {
      await typeWhileDown(page, first, "echo typed-while-down");
      // The next refused attempt hands the keys to the composer instead of holding them.
      await composerHas(page, "echo typed-while-down");
      await page.getByText("Typed while the connection was down and not sent").waitFor();

      running = await restart();
      // The socket comes back without a sign-in, and so does a reload.
      await page.getByText("reconnecting…").waitFor({ state: "detached", timeout: 30_000 });
      await signedIn(page);
      // Loaded again, in a new page of the same browser context (cookies and storage kept):
      // after page.reload(), playwright-core sometimes got a WebSocket frame of the old page
      // whose socket it had disposed, and threw ("Cannot find object to frameReceived").
      const url = page.url();
      await page.close();
      page = await context.newPage();
      await page.goto(url);
      await signedIn(page);
      expect(new URL(page.url()).pathname).toBe(`/s/${session.id}`);
      // Still there after the reload, still unsent.
      await composerHas(page, "echo typed-while-down");
    } finally {
      await context.close();
    }
  }, 90_000);

  test("keys typed while down wait in the composer through signing in again", async () => {
    const server = running as RunningTestServer;
    const session = await server.spawnShell("exec cat");
    const { page, context } = await openLive(server, session.id);
    try {
      await typeWhileDown(page, server, "echo after-sign-in");
      await composerHas(page, "echo after-sign-in");
      // Another signing key: the page's sign-in is gone once the server is back.
      running = await restart({ JWT_SECRET: "another-signing-secret-of-32-bytes-or-more" });
      await page.waitForURL(/\/login\?next=/, { timeout: 30_000 });
      await page.getByLabel("Username").fill(ADMIN.username);
      await page.getByLabel("Password").fill(ADMIN.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(new RegExp(`/s/${session.id}$`));
      await composerHas(page, "echo after-sign-in");
      await page.getByText("Typed while the connection was down and not sent").waitFor();
    } finally {
      await context.close();
    }
  }, 90_000);
});

describe("one server, many tabs", () => {
  let server: RunningTestServer;
  beforeAll(async () => {
    server = await startTestServer();
  }, 60_000);
  afterAll(() => server?.dispose());

  test("the composer's draft survives a reload, is cleared by Send and by signing out", async () => {
    const session = await server.spawnShell("exec cat");
    const { page, context } = await newPage(browser, PHONE);
    try {
      await signIn(page, server, `/s/${session.id}`);
      const compose = page.getByRole("button", { name: "Compose" });
      const box = page.getByLabel("Compose text for the terminal");
      await compose.click();
      await box.fill("a long thought, half typed");
      await page.reload();
      await signedIn(page);
      await compose.click();
      expect(await box.inputValue()).toBe("a long thought, half typed");

      await page.getByRole("button", { name: "Send ⏎" }).click();
      await waitForLine(page, session.id, "^a long thought, half typed$");
      await page.reload();
      await signedIn(page);
      await compose.click();
      expect(await box.inputValue()).toBe("");

      await box.fill("left for the next user to see?");
      await page.getByRole("button", { name: "Sign out" }).click();
      await signIn(page, server, `/s/${session.id}`);
      await compose.click();
      expect(await box.inputValue()).toBe("");
    } finally {
      await context.close();
    }
  }, 60_000);

  test("six tabs share one /events socket, each gets the events, and a closing leader hands over", async () => {
    const { page: first, context } = await newPage(browser);
    try {
      await signIn(first, server);
      await first.close();
      const pages: Page[] = [];
      const seen: string[][] = [];
      const leaders: Page[] = [];
      context.on("page", (page) =>
        page.on("websocket", (socket) => {
          if (socket.url().endsWith("/api/v1/events")) leaders.push(page);
        }),
      );
      for (let i = 0; i < 6; i++) {
        const page = await context.newPage();
        seen.push(recordApi(page));
        pages.push(page);
        await page.goto(server.url);
        await signedIn(page);
      }
      await Promise.all(pages.map((page, i) => listLoaded(page, seen[i] ?? [])));

      const all = seen.flat();
      console.log(`six tabs: ${all.length} API requests: ${JSON.stringify(countBy(all))}`);
      expect(leaders).toHaveLength(1);
      expect(count(all, "WS /api/v1/events")).toBe(1);
      for (const tab of seen) {
        expect(count(tab, "GET /api/v1/auth/me")).toBe(1);
        expect(count(tab, "GET /api/v1/sessions")).toBe(1);
        for (const path of ["/providers", "/notifications/settings", "/push/subscriptions"]) {
          expect(count(tab, `GET /api/v1${path}`)).toBe(0);
        }
      }

      await appearsInEvery(pages, server, "seen by six");
      const leader = leaders[0] as Page;
      await leader.close();
      const rest = pages.filter((page) => page !== leader);
      await waitFor(() => leaders.length === 2, "another tab to take the socket over");
      expect(rest).toContain(leaders[1] as Page);
      await appearsInEvery(rest, server, "seen after the handover");
    } finally {
      await context.close();
    }
  }, 120_000);

  test("one page load asks for each thing once", async () => {
    const { page, context } = await newPage(browser);
    try {
      // What the page asks for after signing in is done before the reload is watched.
      const settled = Promise.all([
        page.waitForEvent("websocket"),
        page.waitForResponse((r) => r.url().endsWith("/api/v1/sessions")),
        page.waitForResponse((r) => r.url().endsWith("/api/v1/notifications/settings")),
      ]);
      await signIn(page, server, "/notifications");
      await settled;
      const seen = recordApi(page);
      await page.reload();
      await signedIn(page);
      await page.getByRole("heading", { name: "Notifications" }).waitFor();
      await listLoaded(page, seen);
      await waitFor(
        () => seen.includes("GET /api/v1/notifications/settings"),
        "the notification settings",
      );
      console.log(`one load of /notifications: ${JSON.stringify(countBy(seen))}`);
      for (const entry of new Set(seen))
        expect(`${entry} ×${count(seen, entry)}`).toBe(`${entry} ×1`);
    } finally {
      await context.close();
    }
  }, 60_000);
});

/** Wait until the page has asked for its session list (once it is signed in). */
async function listLoaded(page: Page, seen: string[]): Promise<void> {
  await waitFor(() => seen.includes("GET /api/v1/sessions"), "the session list");
  await page.locator(".sidebar").getByText("Loading sessions…").waitFor({ state: "detached" });
}

/** Create a session named `name` through the API and wait until every page lists it. */
async function appearsInEvery(pages: Page[], server: TestServer, name: string): Promise<void> {
  await server.spawnShell("sleep 300", { name });
  await Promise.all(
    pages.map((page) => page.locator(".sidebar").getByText(name).first().waitFor()),
  );
}

const waitFor = (check: () => boolean, what: string) =>
  eventually(() => (check() ? true : undefined), what, WAIT_MS);

function countBy(entries: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const entry of entries) counts[entry] = (counts[entry] ?? 0) + 1;
  return counts;
}
