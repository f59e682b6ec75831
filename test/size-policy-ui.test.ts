// The size policy in real headless Chromium: a browser tab that is hidden never resizes the
// program; shown again, it sends its size. The page's visibility is emulated (document.hidden
// and visibilityState overridden, visibilitychange dispatched), the rest is real.

import { expect, test } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { newPage, signIn, waitForLine, withServerAndBrowser } from "./support/browser.ts";
import { eventually, type TestServer } from "./support/server.ts";

let server: TestServer;
let browser: Browser;

withServerAndBrowser({ loginLimit: { count: 1000, perMs: 60_000 } }, (started, launched) => {
  [server, browser] = [started, launched];
});

type Size = { cols: number; rows: number };

async function ptySize(id: string): Promise<Size> {
  const body = await server.getSession(id);
  return { cols: body.cols, rows: body.rows };
}

/** The size the page's terminal has (what it would send). */
function termSize(page: Page, id: string): Promise<Size> {
  return page.evaluate((sessionId) => {
    const host = document.querySelector(`.terminal-host[data-session="${sessionId}"]`) as
      | (HTMLElement & { terminal?: { term: { cols: number; rows: number } } })
      | null;
    const term = host?.terminal?.term;
    return { cols: term?.cols ?? 0, rows: term?.rows ?? 0 };
  }, id);
}

/** Two animation frames: a layout the page had scheduled has run. */
const settle = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(() => done()))),
  );

test("a hidden tab never resizes the program; shown again, it sends its size", async () => {
  const session = await server.spawnShell("echo READY; exec cat");

  // The visible tab is small; the hidden one is larger, so its size would win if it sent one.
  const visible = await newPage(browser, { viewport: { width: 800, height: 500 } });
  const hidden = await newPage(browser, { viewport: { width: 1400, height: 900 } });
  try {
    await signIn(visible.page, server, `/s/${session.id}`);
    await waitForLine(visible.page, session.id, "^READY$");
    await settle(visible.page);
    // The size the terminal settled on (it may fit again once its renderer and fonts settle),
    // once the PTY has it too.
    const small = await eventually(async () => {
      const [shown, size] = await Promise.all([
        termSize(visible.page, session.id),
        ptySize(session.id),
      ]);
      return size.cols === shown.cols && size.rows === shown.rows ? size : undefined;
    }, "the visible tab's size");

    await hidden.context.addInitScript(() => {
      const w = window as unknown as { testHidden: boolean };
      w.testHidden = true;
      Object.defineProperty(Document.prototype, "hidden", {
        configurable: true,
        get: () => w.testHidden,
      });
      Object.defineProperty(Document.prototype, "visibilityState", {
        configurable: true,
        get: () => (w.testHidden ? "hidden" : "visible"),
      });
    });
    const sent: string[] = [];
    hidden.page.on("websocket", (socket) => {
      if (!socket.url().includes("/stream")) return;
      socket.on("framesent", ({ payload }) => {
        if (typeof payload === "string") sent.push(payload);
      });
    });
    await signIn(hidden.page, server, `/s/${session.id}`);
    await waitForLine(hidden.page, session.id, "^READY$");
    await settle(hidden.page);
    expect(sent.filter((frame) => frame.includes('"resize"'))).toEqual([]);
    expect(await ptySize(session.id)).toEqual(small);

    // Shown: it sends its size, the largest, which applies (nobody typed).
    await hidden.page.evaluate(() => {
      (window as unknown as { testHidden: boolean }).testHidden = false;
      document.dispatchEvent(new Event("visibilitychange"));
    });
    const large = await eventually(async () => {
      const size = await termSize(hidden.page, session.id);
      const pty = await ptySize(session.id);
      return size.cols === pty.cols && size.rows === pty.rows ? size : undefined;
    }, "the shown tab's size");
    expect(large.cols * large.rows).toBeGreaterThan(small.cols * small.rows);
    expect(sent.filter((frame) => frame.includes('"resize"'))).toEqual([
      JSON.stringify({ type: "resize", ...large }),
    ]);
  } finally {
    await visible.context.close();
    await hidden.context.close();
  }
});
