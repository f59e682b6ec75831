// Reloading the page of a full-screen program after it printed more than the ring holds brings
// back its screen and its modes, so that keys do what they did before the reload. Real
// Chromium, real server, real PTYs, real `less`.

import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, newPage, signIn, waitForLine } from "./support/browser.ts";
import { eventually, startTestServer, type TestServer } from "./support/server.ts";

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([
    startTestServer({
      loginLimit: { count: 1000, perMs: 60_000 },
      env: { SCROLLBACK_BYTES: "64kb" },
    }),
    launchBrowser(),
  ]);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.dispose();
});

/** The page's terminal: which buffer is active, its first row, application cursor keys. */
function terminalModes(page: Page, id: string) {
  return page.evaluate((sessionId) => {
    const host = document.querySelector(`.terminal-host[data-session="${sessionId}"]`) as
      | (HTMLElement & { terminal?: { term: import("@xterm/xterm").Terminal } })
      | null;
    const term = host?.terminal?.term;
    if (!term) return undefined;
    const buffer = term.buffer.active;
    return {
      buffer: buffer.type,
      firstRow: buffer.getLine(buffer.viewportY)?.translateToString(true) ?? "",
      applicationCursorKeys: term.modes.applicationCursorKeysMode,
    };
  }, id);
}

test("after a reload a program's modes are back: an arrow key sends what it asked for", async () => {
  // Alternate screen and application cursor keys, set once; then ~400 KB of frames (the ring
  // keeps 64 KiB); then every key the terminal sends, shown by cat -v.
  const session = await server.spawnShell(
    String.raw`printf '\e[?1049h\e[?1h\e[HHEADER'; for i in $(seq 4000); do printf '\e[5;1Hframe %s %s' $i ================================================================================; done; printf '\e[10;1HREADY\r\n'; stty -icanon -echo; exec cat -v`,
  );
  const { page, context } = await newPage(browser);
  await signIn(page, server, `/s/${session.id}`);
  await waitForLine(page, session.id, "READY");
  await page.reload();
  await waitForLine(page, session.id, "READY");
  expect(await terminalModes(page, session.id)).toEqual({
    buffer: "alternate",
    firstRow: "HEADER",
    applicationCursorKeys: true,
  });
  await page.locator(".terminal-host").first().click();
  await page.keyboard.press("ArrowUp");
  // Application mode: ESC O A (a terminal that lost the mode would send ESC [ A).
  await waitForLine(page, session.id, String.raw`\^\[OA`);
  await context.close();
  await server.request("DELETE", `/sessions/${session.id}`);
}, 60_000);

test("a reload during less after more output than the ring holds shows less, and the arrow keys scroll it", async () => {
  const session = await server.spawnShell(
    'seq 1 20000; f=$(mktemp); seq 1 5000 | sed "s/^/line /" > "$f"; exec less "$f"',
  );
  const { page, context } = await newPage(browser);
  await signIn(page, server, `/s/${session.id}`);
  await waitForLine(page, session.id, "^line 1$");
  await page.reload();
  await waitForLine(page, session.id, "^line 1$");
  // less's page is back. (Once, under a loaded full run, it came back scrolled by two lines:
  // the top row is read here, and the arrows must move it on from there.)
  const after = await terminalModes(page, session.id);
  expect(after?.buffer).toBe("alternate");
  expect(after?.firstRow).toMatch(/^line \d+$/);
  const top = Number(after?.firstRow.slice("line ".length));
  await page.locator(".terminal-host").first().click();
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  await page.waitForFunction(
    async ([id, expected]) => {
      const host = document.querySelector(`.terminal-host[data-session="${id}"]`) as
        | (HTMLElement & { terminal?: { term: import("@xterm/xterm").Terminal } })
        | null;
      const buffer = host?.terminal?.term.buffer.active;
      return buffer?.getLine(buffer.viewportY)?.translateToString(true) === expected;
    },
    [session.id, `line ${top + 2}`] as const,
  );
  await context.close();
  await server.request("DELETE", `/sessions/${session.id}`);
}, 60_000);

test("a background tab holds no stream; shown, it catches up with what it missed", async () => {
  const script = (name: string) => `printf '${name}-READY\\n'; exec cat`;
  // Named, so that the test clicks the first one's tab whichever of the two started first.
  const [first, second] = await Promise.all([
    server.spawnShell(script("FIRST"), { name: "first tab" }),
    server.spawnShell(script("SECOND"), { name: "second tab" }),
  ]);
  const { page, context } = await newPage(browser);
  await signIn(page, server, `/s/${first.id}`);
  await waitForLine(page, first.id, "^FIRST-READY$");
  // Open the second session: the first stays open as a tab, out of sight.
  await page.goto(`${server.url}/s/${second.id}`);
  await waitForLine(page, second.id, "^SECOND-READY$");
  await eventually(
    () => (server.manager.viewerCount(first.id) === 0 ? true : undefined),
    "the hidden tab's stream closed",
  );
  expect(server.manager.viewerCount(second.id)).toBe(1);

  // Output the hidden tab misses, then the tab is shown.
  const input = await server.request("POST", `/sessions/${first.id}/input`, { data: "LATER\n" });
  expect(input.status).toBe(204);
  await page.getByRole("tab", { name: "first tab" }).click();
  await waitForLine(page, first.id, "^LATER$");
  expect(server.manager.viewerCount(first.id)).toBe(1);
  await eventually(
    () => (server.manager.viewerCount(second.id) === 0 ? true : undefined),
    "the tab now hidden let its stream go",
  );
  await context.close();
  for (const session of [first, second]) {
    await server.request("DELETE", `/sessions/${session.id}`);
  }
}, 60_000);
