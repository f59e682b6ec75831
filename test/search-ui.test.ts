// The Search page in real Chromium against a real server: a word a session printed (in colour,
// among hundreds of other lines) is found, its snippet shows it highlighted and output text as
// text (never HTML), and clicking the result opens the session scrolled to it, selected.

import { expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { searchResponseSchema } from "../src/protocol/search.ts";
import { newPage, PHONE, shot, signIn, withServerAndBrowser } from "./support/browser.ts";
import { bodyOf } from "./support/responses.ts";
import { eventually, type TestServer } from "./support/server.ts";

let server: TestServer;
let browser: Browser;

withServerAndBrowser(
  { env: { RATE_LIMIT_READS: "10000/min" }, searchIndexIntervalMs: 50 },
  (started, launched) => {
    [server, browser] = [started, launched];
  },
);

/** Console errors other than the /auth/me before signing in and xterm's refused inline styles. */
const unexpected = (errors: string[]) =>
  errors.filter(
    (e) => !/status of 401|Applying inline style violates .*'style-src 'self''/.test(e),
  );

/** A session that printed `word` in colour between 400 lines before and 200 after; ended. */
async function printed(word: string) {
  const session = await server.spawnShell(
    [
      'for i in $(seq 1 400); do echo "filler line $i"; done',
      `printf 'found: \\033[1;31m${word}\\033[0m <b>not bold</b>\\n'`,
      'for i in $(seq 401 600); do echo "filler line $i"; done',
    ].join("; "),
  );
  await eventually(
    async () => {
      const response = await server.request("GET", `/search?q=${word}`);
      return bodyOf(response, 200, searchResponseSchema).results.length > 0 ? true : undefined;
    },
    `"${word}" to be indexed`,
    15_000,
  );
  return session;
}

/** Where the terminal's selection is, and the rows on screen. */
function selection(page: import("playwright-core").Page, sessionId: string) {
  return page.evaluate((id) => {
    const host = document.querySelector(`.terminal-host[data-session="${id}"]`) as
      | (HTMLElement & {
          terminal?: {
            term: {
              getSelection(): string;
              getSelectionPosition(): { start: { y: number } } | undefined;
              rows: number;
              buffer: { active: { viewportY: number } };
            };
          };
        })
      | null;
    const term = host?.terminal?.term;
    if (!term) return null;
    return {
      text: term.getSelection(),
      row: term.getSelectionPosition()?.start.y ?? -1,
      top: term.buffer.active.viewportY,
      rows: term.rows,
    };
  }, sessionId);
}

test.each([
  ["desktop", {}, "okapi"],
  ["phone", PHONE, "quokka"],
] as const)(
  "on a %s, a search finds the word and opens the session at it",
  async (name, options, word) => {
    const session = await printed(word);
    const { page, context, errors } = await newPage(browser, options);
    try {
      await signIn(page, server, "/search");
      await page.getByLabel("Search sessions' output").fill(word);
      await page.getByRole("button", { name: "Search", exact: true }).click();
      const result = page.getByTestId("search-result");
      await result.waitFor();
      const item = page.locator(".search-results li").first();
      expect(await item.locator("mark").allTextContents()).toEqual([word]);
      // Output text stays text: the <b> the program printed is shown, not rendered.
      expect(await item.locator(".snippet").textContent()).toContain(
        `found: ${word} <b>not bold</b>`,
      );
      expect(await item.locator(".snippet b").count()).toBe(0);
      expect(await result.textContent()).toContain("line 401");
      await shot(page, `${name}-search`);

      await result.click();
      await page.waitForURL(`**/s/${session.id}?find=${word}`);
      await page.waitForFunction(
        ([id, expected]) => {
          const host = document.querySelector(`.terminal-host[data-session="${id}"]`) as
            | (HTMLElement & { terminal?: { term: { getSelection(): string } } })
            | null;
          return host?.terminal?.term.getSelection() === expected;
        },
        [session.id, word],
      );
      const at = await selection(page, session.id);
      expect(at?.text).toBe(word);
      // Scrolled to it: the selected row is on screen, far above the end of the output.
      expect(at?.row).toBeGreaterThanOrEqual(at?.top ?? Number.NaN);
      expect(at?.row).toBeLessThan((at?.top ?? 0) + (at?.rows ?? 0));
      expect(at?.top).toBeLessThan(500);
      expect(unexpected(errors)).toEqual([]);
    } finally {
      await context.close();
    }
  },
);

test("the Search link is in the top bar on a desktop and under More on a phone", async () => {
  const desktop = await newPage(browser);
  const phone = await newPage(browser, PHONE);
  try {
    await signIn(desktop.page, server, "/");
    await desktop.page.locator(".nav-pages").getByRole("link", { name: "Search" }).click();
    await desktop.page.getByLabel("Search sessions' output").waitFor();
    await signIn(phone.page, server, "/");
    await phone.page.getByText("More", { exact: true }).click();
    await phone.page.locator(".nav-more-list").getByRole("link", { name: "Search" }).click();
    await phone.page.getByLabel("Search sessions' output").waitFor();
  } finally {
    await desktop.context.close();
    await phone.context.close();
  }
});
