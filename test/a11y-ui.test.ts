// Accessibility and the small things, in real headless Chromium against a real server: state
// pills and badges meet WCAG AA in light and dark (ratios computed from the computed styles),
// the screen-reader setting, the sign-in page before setup, a used setup link, the new-session
// dialog's home folder and its check of quotes, the exit banner, session names in the audit log,
// and "Clear ended".

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { type Session, sessionSchema } from "../src/protocol/session.ts";
import { AA_NORMAL_TEXT, contrastRatio } from "../web/src/terminal/contrast.ts";
import { launchBrowser, newPage, shot, signIn } from "./support/browser.ts";
import { bodyOf, sessionListSchema } from "./support/responses.ts";
import { eventually, startTestServer, TEST_HOME, type TestServer } from "./support/server.ts";

let server: TestServer;
let fresh: TestServer;
let browser: Browser;

beforeAll(async () => {
  [server, fresh, browser] = await Promise.all([
    startTestServer({ loginLimit: { count: 1000, perMs: 60_000 } }),
    startTestServer({ noAdmin: true }),
    launchBrowser(),
  ]);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await Promise.all([server?.dispose(), fresh?.dispose()]);
});

const DESKTOP = { viewport: { width: 1440, height: 900 } };

const sessionsNow = async () =>
  bodyOf(await server.request("GET", "/sessions"), 200, sessionListSchema).sessions;

/** A shell session that runs `script` and has ended (state no longer live). */
async function endedShell(script: string, name: string): Promise<Session> {
  const session = await server.spawnShell(script, { name });
  return eventually(async () => {
    const now = await server.getSession(session.id);
    return now.state === "ended" ? now : undefined;
  }, `${name} to end`);
}

describe("first run", () => {
  let page: Page;
  let context: BrowserContext;
  beforeAll(async () => {
    ({ page, context } = await newPage(browser, DESKTOP));
  });
  afterAll(() => context.close());

  test("before setup, / signs in with a hint about the setup link", async () => {
    await page.goto(`${fresh.url}/`);
    const hint = page.getByTestId("setup-hint");
    await hint.waitFor();
    expect(await hint.textContent()).toContain("This server has no account yet");
    expect(await hint.textContent()).toContain("setup link");
    await shot(page, "desktop-setup-hint");
  });

  test("a used setup link says at once that setup is done, and leads to sign-in", async () => {
    const setupToken = new URL(fresh.setupUrl ?? "").hash.slice("#token=".length);
    const body = { setupToken, username: "owner", password: "a very long password" };
    expect((await fresh.send("POST", "/auth/setup", body, {})).status).toBe(201);
    await page.goto(fresh.setupUrl as string);
    await page.getByTestId("setup-done").getByText("Setup is already done").waitFor();
    expect(await page.getByLabel("Password again").count()).toBe(0);
    await page.getByRole("link", { name: "Sign in" }).click();
    await page.waitForURL(/\/login$/);
    // Setup is closed now: the sign-in page has no hint.
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    expect(await page.getByTestId("setup-hint").count()).toBe(0);
  });
});

describe("signed in", () => {
  let page: Page;
  let context: BrowserContext;
  let errors: string[];
  let live: Session;
  beforeAll(async () => {
    ({ page, context, errors } = await newPage(browser, DESKTOP));
    // Two live sessions: one open (the active row), one beside it in the list.
    await server.spawnShell("exec sleep 600", { name: "live two" });
    live = await server.spawnShell("exec sleep 600", { name: "live one" });
    await signIn(page, server, `/s/${live.id}`);
  });
  afterAll(() => context.close());

  test.each(["light", "dark"] as const)(
    "in %s, every state pill and badge meets AA on its background",
    async (scheme) => {
      await page.emulateMedia({ colorScheme: scheme });
      await page.locator(".session-head").waitFor();
      await page.locator(".session-row:not(.active)").first().waitFor();
      const pairs = await page.evaluate(() => {
        const states = ["starting", "running", "idle", "stopped", "ended", "failed", "interrupted"];
        const badges = ["activity activity-waiting", "activity activity-done"];
        badges.push("activity activity-working", "pill pill-ended pill-bad-exit");
        const places = [
          ".session-row:not(.active) .row-top",
          ".session-row.active .row-top",
          ".session-head",
          ".top-bar nav",
        ];
        const made: HTMLElement[] = [];
        for (const place of places) {
          const host = document.querySelector(place);
          if (!host) throw new Error(`no ${place}`);
          for (const cls of [...states.map((s) => `pill pill-${s}`), ...badges, "count"]) {
            const span = document.createElement("span");
            span.className = cls;
            span.textContent = "probe";
            span.dataset.place = place;
            host.append(span);
            made.push(span);
          }
        }
        const background = (element: Element | null): string => {
          for (let e = element; e; e = e.parentElement) {
            const color = getComputedStyle(e).backgroundColor;
            if (!/^rgba\(.*,\s*0\)$/.test(color) && color !== "transparent") return color;
          }
          return getComputedStyle(document.documentElement).backgroundColor;
        };
        const out = made.map((span) => ({
          what: `${span.className} in ${span.dataset.place}`,
          color: getComputedStyle(span).color,
          background: background(span),
          opacity: getComputedStyle(span).opacity,
        }));
        for (const span of made) span.remove();
        return out;
      });
      expect(pairs.length).toBe(4 * 12);
      // Measured on the list, the highlighted row, the terminal's header and the top bar.
      expect(new Set(pairs.map((p) => p.background)).size).toBeGreaterThanOrEqual(3);
      const failing = pairs
        .map((p) => ({ ...p, ratio: contrastRatio(p.color, p.background) }))
        .filter((p) => p.ratio < AA_NORMAL_TEXT || p.opacity !== "1");
      expect(failing).toEqual([]);
    },
  );

  test("the screen-reader setting turns on xterm's accessibility tree, live", async () => {
    await page.emulateMedia({ colorScheme: "light" });
    const host = page.locator(`.terminal-host[data-session="${live.id}"]`);
    const toggle = page.getByRole("button", { name: "Screen reader" });
    expect(await toggle.getAttribute("aria-pressed")).toBe("false");
    expect(await host.locator(".xterm-accessibility").count()).toBe(0);
    await toggle.click();
    await host.locator(".xterm-accessibility").waitFor({ state: "attached" });
    expect(await toggle.getAttribute("aria-pressed")).toBe("true");
    expect(await host.locator(".xterm-accessibility [role=list]").count()).toBe(1);
    // Kept for the next visit, and off again when asked.
    await page.reload();
    await host.locator(".xterm-accessibility").waitFor({ state: "attached" });
    await toggle.click();
    await host.locator(".xterm-accessibility").waitFor({ state: "detached" });
    expect(await toggle.getAttribute("aria-pressed")).toBe("false");
  });

  test("the new-session dialog starts in the home folder and refuses an open quote", async () => {
    await page.evaluate(() => localStorage.removeItem("opendray.lastCwd"));
    await page.reload();
    await page.getByRole("button", { name: "New" }).click();
    const dialog = page.getByRole("dialog", { name: "New session" });
    const cwd = dialog.getByLabel("Working directory");
    await page.waitForFunction(
      (home) => (document.querySelector("input[name=cwd]") as HTMLInputElement)?.value === home,
      TEST_HOME,
    );
    expect(await cwd.inputValue()).toBe(TEST_HOME);

    const args = dialog.getByLabel("Extra arguments (optional)");
    const start = dialog.getByRole("button", { name: "Start" });
    await args.fill('-c "echo hi');
    const error = dialog.getByRole("alert");
    await error.getByText("double quote at character 4 is never closed").waitFor();
    expect(await start.isDisabled()).toBe(true);
    expect(await args.getAttribute("aria-invalid")).toBe("true");
    await args.fill('-c "echo hi"');
    await error.waitFor({ state: "detached" });
    expect(await start.isDisabled()).toBe(false);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "detached" });
  });

  test("an ended session says how, prominently, in both schemes", async () => {
    const failed = await endedShell("exit 3", "fails with three");
    const ok = await endedShell("exit 0", "ends well");
    for (const [session, tone, text] of [
      [failed, "exit-failed", "exited with code 3"],
      [ok, "exit-ok", "exited with code 0"],
    ] as const) {
      await page.goto(`${server.url}/s/${session.id}`);
      const banner = page.getByTestId("exit-banner");
      await banner.getByText(text).waitFor();
      expect(await banner.getAttribute("class")).toContain(tone);
      if (tone === "exit-failed") await shot(page, "desktop-exit-banner");
      await banner.getByRole("button", { name: "Restart" }).waitFor();
      await banner.getByRole("button", { name: "Delete" }).waitFor();
      for (const scheme of ["light", "dark"] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        if (tone === "exit-failed" && scheme === "dark")
          await shot(page, "desktop-exit-banner-dark");
        const { color, background } = await banner.evaluate((element) => ({
          color: getComputedStyle(element).color,
          background: getComputedStyle(element).backgroundColor,
        }));
        expect(contrastRatio(color, background)).toBeGreaterThanOrEqual(AA_NORMAL_TEXT);
      }
    }
    await page.emulateMedia({ colorScheme: "light" });
    expect(await page.getByTestId("exit-banner").count()).toBe(1);
    await page.goto(`${server.url}/s/${live.id}`);
    await page.locator(".session-head").waitFor();
    expect(await page.getByTestId("exit-banner").count()).toBe(0);
  });

  test("the audit log names sessions that still exist, with their ids as tooltips", async () => {
    const named = await server.spawnShell("exec sleep 600", { name: "audited by name" });
    const gone = await server.spawnShell("exec sleep 600", { name: "deleted later" });
    expect((await server.request("DELETE", `/sessions/${gone.id}`)).status).toBe(204);
    await page.getByRole("link", { name: "Audit", exact: true }).click();
    const link = page.getByRole("link", { name: "audited by name" }).first();
    await link.waitFor();
    expect(await link.getAttribute("title")).toBe(named.id);
    expect(await link.getAttribute("href")).toBe(`/s/${named.id}`);
    await page.locator(".audit td", { hasText: gone.id }).first().waitFor();
    expect(await page.getByRole("link", { name: "deleted later" }).count()).toBe(0);
    await link.click();
    await page.waitForURL(new RegExp(`/s/${named.id}$`));
  });

  test("a restarted session says so, and Clear ended deletes the finished ones after a confirm", async () => {
    const parent = await endedShell("exit 0", "restart me");
    const restarted = await server.request("POST", `/sessions/${parent.id}/restart`, {});
    const child = bodyOf(restarted, 201, sessionSchema);
    await page.getByRole("link", { name: "Sessions" }).click();
    const parentRow = page.locator(".session-row", { hasText: "restart me" }).filter({
      has: page.getByTestId("restarted-as"),
    });
    await parentRow.getByText(`restarted as ${child.name || child.provider}`).waitFor();

    const finished = await eventually(async () => {
      const list = (await sessionsNow()).filter(
        (s) => !["starting", "running", "idle"].includes(s.state),
      );
      // The restarted child runs `exit 0` too: wait for it to be among them.
      return list.some((s) => s.id === child.id) ? list : undefined;
    }, "the restarted child to end");
    const liveCount = (await sessionsNow()).length - finished.length;
    expect(liveCount).toBeGreaterThanOrEqual(2);

    await page.getByRole("button", { name: "Clear ended" }).click();
    const confirm = page.getByRole("dialog", { name: "Clear ended sessions?" });
    await confirm.getByText(`${finished.length} finished sessions`).waitFor();
    await shot(page, "desktop-clear-ended");
    await confirm.getByRole("button", { name: `Delete ${finished.length}` }).click();
    await confirm.waitFor({ state: "detached" });
    await page.getByRole("button", { name: "Clear ended" }).waitFor({ state: "detached" });
    const left = await sessionsNow();
    expect(left.length).toBe(liveCount);
    expect(left.every((s) => ["starting", "running", "idle"].includes(s.state))).toBe(true);
    expect(await page.locator(".session-list > li").count()).toBe(liveCount);
    // Expected noise, as in ui.test.ts: the first /auth/me (401) and the CSP refusing xterm's
    // inline styles.
    const unexpected = errors.filter(
      (e) => !/401|Applying inline style violates .*'style-src 'self''/.test(e),
    );
    expect(unexpected).toEqual([]);
  });
});
