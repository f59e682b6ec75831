// A finished session's recording replayed in real Chromium against a real server: the exit
// banner's Replay opens the player, which at 4× shows the session's lines (the progress bar in its
// final form) in the app's own terminal; seeking back to the start clears it; the .cast and text
// downloads are the recording.

import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import type { Browser, BrowserContextOptions } from "playwright-core";
import { newPage, PHONE, shot, signIn, withServerAndBrowser } from "./support/browser.ts";
import { eventually, type TestServer } from "./support/server.ts";

let server: TestServer;
let browser: Browser;

withServerAndBrowser({}, (started, launched) => {
  [server, browser] = [started, launched];
});

/** Console errors other than the /auth/me before signing in and xterm's refused inline styles. */
const unexpected = (errors: string[]) =>
  errors.filter(
    (e) => !/status of 401|Applying inline style violates .*'style-src 'self''/.test(e),
  );

const SCRIPT = [
  "printf '\\033[32mfirst line\\033[0m\\n'",
  "sleep 0.6",
  "for i in 1 2 3; do printf '\\rstep %d/3' $i; sleep 0.2; done; printf '\\n'",
  "sleep 0.6",
  "printf 'é 中 😀 last line\\n'",
].join("; ");

test.each([
  ["desktop", {}],
  ["phone", PHONE],
] as [string, BrowserContextOptions][])(
  "on a %s, Replay plays a finished session in the app's terminal, at 4×, with its downloads",
  async (name, options) => {
    const session = await server.spawnShell(SCRIPT);
    await eventually(async () => {
      const { state } = await server.getSession(session.id);
      return state === "ended" ? true : undefined;
    }, "the session to end");
    const { page, context, errors } = await newPage(browser, { ...options, acceptDownloads: true });
    try {
      await signIn(page, server, `/s/${session.id}`);
      await page.getByTestId("exit-banner").getByRole("button", { name: "Replay" }).click();
      const replay = page.getByRole("dialog", { name: "Replay" });
      await replay.getByTestId("replay-toggle").waitFor();
      await replay.getByRole("button", { name: "4×" }).click();
      expect(await replay.getByRole("button", { name: "4×" }).getAttribute("aria-pressed")).toBe(
        "true",
      );
      // Played to its end: the button offers to play again.
      await replay.getByRole("button", { name: "Play", exact: true }).waitFor({ timeout: 10_000 });
      const rows = async () => (await replay.locator(".xterm-rows").textContent()) ?? "";
      const shown = await rows();
      expect(shown).toContain("first line");
      expect(shown).toContain("step 3/3");
      expect(shown).not.toContain("step 2/3");
      expect(shown).toContain("é 中 😀 last line");
      expect(await replay.locator(".replay-time").textContent()).toMatch(/^0:0\d \/ 0:0\d$/);
      await shot(page, name === "phone" ? "replay-phone" : "replay");
      if (name === "phone") {
        for (const control of [
          replay.getByRole("button", { name: "2×" }),
          replay.getByRole("link", { name: "Download text" }),
        ]) {
          expect((await control.boundingBox())?.height).toBeGreaterThanOrEqual(44);
        }
      }

      // Back to the start: nothing printed yet.
      await replay.getByRole("slider", { name: "Position" }).fill("0");
      await eventually(
        async () => ((await rows()).includes("first line") ? undefined : true),
        "the terminal cleared by the seek",
      );

      const [cast] = await Promise.all([
        page.waitForEvent("download"),
        replay.getByRole("link", { name: "Download .cast" }).click(),
      ]);
      expect(cast.suggestedFilename()).toEndWith(".cast");
      const header = JSON.parse(
        readFileSync((await cast.path()) ?? "", "utf8").split("\n")[0] ?? "",
      );
      expect(header).toMatchObject({ version: 2, title: session.name });
      const [text] = await Promise.all([
        page.waitForEvent("download"),
        replay.getByRole("link", { name: "Download text" }).click(),
      ]);
      expect(readFileSync((await text.path()) ?? "", "utf8")).toBe(
        "first line\nstep 3/3\né 中 😀 last line\n",
      );
      await replay.getByRole("button", { name: "Close replay" }).click();
      await replay.waitFor({ state: "hidden" });
      expect(unexpected(errors)).toEqual([]);
    } finally {
      await context.close();
    }
  },
);
