// Headless Chromium (Debian's, through playwright-core) for the UI tests, and the few page
// helpers they share: start a server and the browser, sign in, read a terminal's buffer, wait
// for text in it, save a screenshot for the README.

import { afterAll, beforeAll } from "bun:test";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type BrowserContextOptions, chromium, type Page } from "playwright-core";
import { ADMIN, startTestServer, type TestServer, type TestServerOptions } from "./server.ts";

/** Chromium to drive: CHROMIUM_PATH or Debian's /usr/bin/chromium. */
export const CHROMIUM = Bun.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const WAIT_MS = 15_000;

/**
 * CHROMIUM started with its stdout and stderr on /dev/null (the DevTools pipe, fds 3 and 4, passes
 * through `exec`). playwright-core reads those two with readline interfaces that have no error
 * handler; under Bun, the pipe of a Chromium that exits can fail with ECONNRESET, thrown as an
 * unhandled error into whichever test file is running (seen about once in ten full runs).
 */
function quietChromium(): string {
  const script = join(mkdtempSync(join(tmpdir(), "opendray-chromium-")), "chromium");
  writeFileSync(
    script,
    `#!/bin/sh\nexec '${CHROMIUM.replaceAll("'", "'\\''")}' "$@" >/dev/null 2>&1\n`,
    {
      mode: 0o755,
    },
  );
  return script;
}
let quiet: string | undefined;

export function launchBrowser(): Promise<Browser> {
  quiet ??= quietChromium();
  return chromium.launch({
    executablePath: quiet,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    timeout: WAIT_MS,
  });
}

/**
 * A test server (`options`) and Chromium for the tests of the calling file: started together
 * before them (`started` receives both, and may prepare more), closed after them.
 */
export function withServerAndBrowser(
  options: TestServerOptions,
  started: (server: TestServer, browser: Browser) => void | Promise<void>,
): void {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(options), launchBrowser()]);
    await started(server, browser);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });
}

/** Where the UI tests write the README's screenshots. */
const SHOTS = join(import.meta.dir, "..", "..", "docs", "screenshots");

/** docs/screenshots/`name`.png of `page`, animations stopped; `fullPage` for the whole page. */
export async function shot(page: Page, name: string, { fullPage = false } = {}): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), animations: "disabled", fullPage });
}

/**
 * A phone in portrait. Device scale 1: headless Chromium's software WebGL (SwiftShader) paints
 * xterm's canvas blank at scale 2, which real phones' GPUs do not.
 */
export const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 1,
  isMobile: true,
  hasTouch: true,
};

/** A fresh page of a fresh context (own cookies), with console errors collected. */
export async function newPage(browser: Browser, options: BrowserContextOptions = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  context.setDefaultTimeout(WAIT_MS);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  return { page, context, errors };
}

/** Sign in through the form; `path` is where to start (the sign-in page sends the user back). */
export async function signIn(
  page: Page,
  server: TestServer,
  path = "/",
  user: { username: string; password: string } = ADMIN,
) {
  await page.goto(`${server.url}${path}`);
  await page.getByLabel("Username").fill(user.username);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}

/** The text of a session's terminal buffer (scrollback included), wrapped lines joined. */
export function terminalText(page: Page, sessionId: string): Promise<string> {
  return page.evaluate(
    (id) =>
      (
        document.querySelector(`.terminal-host[data-session="${id}"]`) as
          | (HTMLElement & { terminal?: { text(): string } })
          | null
      )?.terminal?.text() ?? "",
    sessionId,
  );
}

/** Wait until the terminal's buffer has a line matching `line` (a RegExp source). */
export async function waitForLine(page: Page, sessionId: string, line: string): Promise<string> {
  await page.waitForFunction(
    ([id, source]) => {
      const host = document.querySelector(`.terminal-host[data-session="${id}"]`) as
        | (HTMLElement & { terminal?: { text(): string } })
        | null;
      const text = host?.terminal?.text() ?? "";
      return new RegExp(source as string, "m").test(text);
    },
    [sessionId, line],
    { timeout: WAIT_MS },
  );
  return terminalText(page, sessionId);
}
