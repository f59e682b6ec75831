// The workbench on a phone, in real headless Chromium (touch, 390×844 and 844×390) against a
// real server: finger scrolling with momentum, jump to bottom, PgUp/PgDn, Find with its count,
// a key bar that fits, 44 px touch targets, the composer above the prompt, landscape, long tab
// names. Touch goes through CDP, so the page gets real touch events.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser, BrowserContext, CDPSession, Locator, Page } from "playwright-core";
import { sessionSchema } from "../src/protocol/session.ts";
import {
  newPage,
  PHONE,
  shot,
  signIn,
  waitForLine,
  withServerAndBrowser,
} from "./support/browser.ts";
import { bodyOf } from "./support/responses.ts";
import type { TestServer } from "./support/server.ts";

const LANDSCAPE = { ...PHONE, viewport: { width: 844, height: 390 } };
/** The last line `seq` prints: enough history for a flick to travel. */
const LINES = 3000;

let server: TestServer;
let browser: Browser;
/** A login shell whose history holds 1..LINES and a few "needle-" lines. */
let sessionId: string;

withServerAndBrowser({ loginLimit: { count: 1000, perMs: 60_000 } }, async (started, launched) => {
  [server, browser] = [started, launched];
  sessionId = await createShell("phone history");
});

async function createShell(name: string): Promise<string> {
  const created = await server.request("POST", "/sessions", {
    provider: "shell",
    cwd: "/tmp",
    name,
  });
  return bodyOf(created, 201, sessionSchema).id;
}

/** Open a session's terminal and wait for its prompt. */
async function openShell(page: Page, id: string): Promise<void> {
  await page.goto(`${server.url}/s/${id}`);
  await waitForLine(page, id, "[$#] ?$");
}

/** Type a command into the terminal (focused by a tap, as a person would) and run it. */
async function run(page: Page, command: string): Promise<void> {
  await page.locator(".terminal-host:not([hidden]) .xterm-screen").tap();
  await page.keyboard.type(command);
  await page.keyboard.press("Enter");
}

interface View {
  /** The first line on screen, and that line when the newest output is in view. */
  top: number;
  bottom: number;
  rows: number;
  cursorY: number;
  alternate: boolean;
  /** The text of the first line on screen. */
  first: string;
}

function view(page: Page): Promise<View> {
  return page.evaluate(() => {
    const host = document.querySelector(".terminal-host:not([hidden])") as HTMLElement & {
      terminal: { term: import("@xterm/xterm").Terminal };
    };
    const { term } = host.terminal;
    const buffer = term.buffer.active;
    return {
      top: buffer.viewportY,
      bottom: buffer.baseY,
      rows: term.rows,
      cursorY: buffer.cursorY,
      alternate: buffer.type === "alternate",
      first: buffer.getLine(buffer.viewportY)?.translateToString(true) ?? "",
    };
  });
}

/** Wait until the first line on screen is `top` ("bottom": the newest output is in view). */
function waitForTop(page: Page, top: number | "bottom", below = false): Promise<unknown> {
  return page.waitForFunction(
    ([want, under]) => {
      const host = document.querySelector(".terminal-host:not([hidden])") as HTMLElement & {
        terminal: { term: import("@xterm/xterm").Terminal };
      };
      const buffer = host.terminal.term.buffer.active;
      const target = want === "bottom" ? buffer.baseY : (want as number);
      return under ? buffer.viewportY < target : buffer.viewportY === target;
    },
    [top, below] as const,
  );
}

/** A finger drag from (x, fromY) to (x, toY) in `steps` moves; `lift: false` keeps it down. */
async function drag(cdp: CDPSession, x: number, fromY: number, toY: number, steps = 12) {
  await cdp.send("Input.dispatchTouchEvent", {
    type: "touchStart",
    touchPoints: [{ x, y: fromY }],
  });
  for (let i = 1; i <= steps; i++) {
    const y = fromY + ((toY - fromY) * i) / steps;
    await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: [{ x, y }] });
  }
}
const lift = (cdp: CDPSession) =>
  cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });

/** Open (or close) the key bar's further keys. */
async function showMore(page: Page, open = true): Promise<void> {
  const more = page.getByRole("toolbar", { name: "Terminal keys" }).getByRole("button", {
    name: "More keys",
  });
  if ((await more.getAttribute("aria-expanded")) !== String(open)) await more.tap();
  await page.locator(".key-extras").waitFor({ state: open ? "visible" : "hidden" });
}

/** The middle of the terminal's box on screen (its host may sit higher, under the header). */
async function middle(page: Page): Promise<{ x: number; y: number }> {
  const box = await page.locator(".terminals").boundingBox();
  if (!box) throw new Error("no terminal on screen");
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Interactive elements on screen smaller than 44 px on either axis. */
function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const small: string[] = [];
    const selector = "a, button, summary, input, select, textarea, [role=button], [role=tab]";
    for (const element of document.querySelectorAll<HTMLElement>(selector)) {
      // xterm's input sink: a 0×0 textarea under the screen, no target of anyone's.
      if (element.closest(".xterm")) continue;
      const rect = element.getBoundingClientRect();
      if (rect.width === 0 && rect.height === 0) continue;
      if (rect.width < 43.5 || rect.height < 43.5) {
        const name = element.getAttribute("aria-label") ?? element.textContent?.trim();
        small.push(
          `${element.tagName} "${name}" ${rect.width.toFixed(0)}×${rect.height.toFixed(0)}`,
        );
      }
    }
    return small;
  });
}

/** Interactive elements that stick out of the viewport, or whose text does out of them. */
function cutOff(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const selector = "a, button, summary, input, select, textarea, [role=button], [role=tab]";
    for (const element of document.querySelectorAll<HTMLElement>(selector)) {
      if (element.closest(".xterm")) continue;
      const rect = element.getBoundingClientRect();
      if (rect.width === 0 && rect.height === 0) continue;
      const inside =
        rect.left >= -0.5 &&
        rect.top >= -0.5 &&
        rect.right <= innerWidth + 0.5 &&
        rect.bottom <= innerHeight + 0.5;
      // Text wider than its control (a tab's name ends in an ellipsis instead, on purpose).
      const clipped =
        element.clientWidth > 0 &&
        element.scrollWidth > element.clientWidth + 1 &&
        !element.matches("[role=tab], input, textarea, select");
      if (!inside || clipped)
        out.push(
          `${element.tagName} "${element.getAttribute("aria-label") ?? element.textContent?.trim()}"`,
        );
    }
    return out;
  });
}

describe("phone, portrait", () => {
  let page: Page;
  let context: BrowserContext;
  let cdp: CDPSession;

  beforeAll(async () => {
    ({ page, context } = await newPage(browser, PHONE));
    cdp = await context.newCDPSession(page);
    await signIn(page, server, `/s/${sessionId}`);
    await waitForLine(page, sessionId, "[$#] ?$");
    await run(page, `seq 1 ${LINES}; for i in 1 2 3; do echo needle-$i; done`);
    await waitForLine(page, sessionId, "^needle-3$");
    await waitForLine(page, sessionId, "[$#] ?$");
  }, 60_000);
  afterAll(() => context.close());

  test("every key of the key bar is 44 px or more and on screen, the rest after More", async () => {
    const keyBar = page.getByRole("toolbar", { name: "Terminal keys" });
    const keys = keyBar.getByRole("button");
    const boxes = async () =>
      (await keys.evaluateAll((buttons) =>
        buttons.map((b) => {
          const r = b.getBoundingClientRect();
          return { name: b.getAttribute("aria-label"), r: [r.left, r.top, r.right, r.bottom] };
        }),
      )) as { name: string; r: [number, number, number, number] }[];
    const shown = (await boxes()).filter(({ r }) => r[2] > r[0]);
    expect(shown.map((k) => k.name)).toEqual([
      "Esc",
      "Tab",
      "Ctrl",
      "Ctrl-C",
      "Up",
      "Down",
      "Compose",
      "More keys",
    ]);
    await shot(page, "phone-keybar");
    await keyBar.getByRole("button", { name: "More keys" }).tap();
    await keyBar.getByRole("button", { name: "Page up" }).waitFor();
    const all = await boxes();
    expect(all).toHaveLength(21);
    const wrong = all.filter(
      ({ r }) => r[2] - r[0] < 44 || r[3] - r[1] < 44 || r[0] < 0 || r[2] > 390 || r[3] > 844,
    );
    expect(wrong).toEqual([]);
    await keyBar.getByRole("button", { name: "More keys" }).tap();
    await keyBar.getByRole("button", { name: "Page up" }).waitFor({ state: "hidden" });
  });

  test("Files and Changes open from the More row, each key a 44 px target beside Upload", async () => {
    const keyBar = page.getByRole("toolbar", { name: "Terminal keys" });
    const more = keyBar.getByRole("button", { name: "More keys" });
    for (const [key, title, shows] of [
      ["Show files", "Files", (dialog: Locator) => dialog.getByRole("list").waitFor()],
      [
        "Show changes",
        "Changes",
        async (dialog: Locator) =>
          expect(await dialog.getByTestId("repo-state").textContent()).toBe("Not a git repository"),
      ],
    ] as const) {
      await more.tap();
      const button = keyBar.getByRole("button", { name: key });
      await button.waitFor();
      const names = await keyBar
        .getByRole("button")
        .evaluateAll((buttons) => buttons.map((b) => b.getAttribute("aria-label")));
      expect(names.slice(names.indexOf("Upload files"), names.indexOf("Upload files") + 3)).toEqual(
        ["Upload files", "Show files", "Show changes"],
      );
      const box = await button.boundingBox();
      expect(box?.width).toBeGreaterThanOrEqual(44);
      expect(box?.height).toBeGreaterThanOrEqual(44);
      await button.tap();
      const dialog = page.getByRole("dialog", { name: title });
      await dialog.waitFor();
      await shows(dialog);
      await dialog.getByRole("button", { name: `Close ${title.toLowerCase()}` }).tap();
      await dialog.waitFor({ state: "hidden" });
      if ((await more.getAttribute("aria-expanded")) === "true") await more.tap();
      await button.waitFor({ state: "hidden" });
    }
  });

  test("a finger drag scrolls back into the history, and a flick keeps going after it lifts", async () => {
    const start = await view(page);
    expect(start.top).toBe(start.bottom);
    const box = await page.locator(".terminal-host:not([hidden]) .xterm-screen").boundingBox();
    if (!box) throw new Error("no terminal on screen");
    const x = box.x + box.width / 2;
    // The finger moves down 240 px: older lines come into view, the finger still down.
    await drag(cdp, x, box.y + 100, box.y + 340);
    const dragged = await view(page);
    expect(dragged.top).toBeLessThan(start.bottom - 8);
    expect(Number(dragged.first)).toBeLessThan(LINES - start.rows);
    await lift(cdp);

    // A flick: the view goes on moving after the finger has lifted.
    await page.evaluate(() => {
      const host = document.querySelector(".terminal-host:not([hidden])") as HTMLElement & {
        terminal: { term: import("@xterm/xterm").Terminal };
      };
      const w = window as unknown as { atLift: Promise<number> };
      w.atLift = new Promise((resolve) =>
        addEventListener("touchend", () => resolve(host.terminal.term.buffer.active.viewportY), {
          once: true,
          capture: true,
        }),
      );
    });
    await cdp.send("Input.synthesizeScrollGesture", {
      x,
      y: box.y + 80,
      yDistance: 300,
      speed: 3000,
      gestureSourceType: "touch",
      preventFling: false,
    });
    const atLift = await page.evaluate(
      () => (window as unknown as { atLift: Promise<number> }).atLift,
    );
    expect(atLift).toBeLessThan(dragged.top);
    await waitForTop(page, atLift - 3, true);
  });

  test("jump to bottom shows while scrolled back and brings the newest output back", async () => {
    const jump = page.getByRole("button", { name: "Jump to bottom" });
    await jump.waitFor();
    const thumb = page.locator(".scroll-thumb");
    const handle = await thumb.boundingBox();
    expect(handle?.width).toBeGreaterThanOrEqual(44);
    expect(handle?.height).toBeGreaterThanOrEqual(44);
    await shot(page, "phone-scrollback");
    await jump.tap();
    await jump.waitFor({ state: "hidden" });
    const after = await view(page);
    expect(after.top).toBe(after.bottom);
  });

  test("dragging the scroll handle to the top shows the oldest lines", async () => {
    const handle = await page.locator(".scroll-thumb").boundingBox();
    if (!handle) throw new Error("no scroll handle");
    const x = handle.x + handle.width / 2;
    await drag(cdp, x, handle.y + handle.height / 2, 0, 8);
    await lift(cdp);
    await waitForTop(page, 0);
    await page.getByRole("button", { name: "Jump to bottom" }).tap();
    await waitForTop(page, "bottom");
  });

  test("PgUp and PgDn on the key bar page through the history", async () => {
    const keyBar = page.getByRole("toolbar", { name: "Terminal keys" });
    await showMore(page);
    const before = await view(page);
    await keyBar.getByRole("button", { name: "Page up" }).tap();
    await waitForTop(page, before.top - (before.rows - 1));
    await keyBar.getByRole("button", { name: "Page down" }).tap();
    await waitForTop(page, "bottom");
  });

  test("in a full-screen program, PgUp and a drag reach the program as keys", async () => {
    const keyBar = page.getByRole("toolbar", { name: "Terminal keys" });
    await run(
      page,
      `printf '\\e[?1049h'; IFS= read -rsn4 a; IFS= read -rsn3 b; printf '\\e[?1049l'; printf 'got:%q:%q\\n' "$a" "$b"`,
    );
    await page.waitForFunction(() => {
      const host = document.querySelector(".terminal-host:not([hidden])") as HTMLElement & {
        terminal: { term: import("@xterm/xterm").Terminal };
      };
      return host.terminal.term.buffer.active.type === "alternate";
    });
    await showMore(page);
    await keyBar.getByRole("button", { name: "Page up" }).tap();
    // Finger down: older lines, as a wheel turned up: the up arrow.
    const { x, y } = await middle(page);
    await drag(cdp, x, y - 100, y + 40, 6);
    await lift(cdp);
    await waitForLine(page, sessionId, "^got:\\$'\\\\E\\[5~':\\$'\\\\E\\[A'$");
    await showMore(page, false);
  });

  test("Find opens from the key bar and counts the matches", async () => {
    const keyBar = page.getByRole("toolbar", { name: "Terminal keys" });
    await showMore(page);
    await keyBar.getByRole("button", { name: "Find" }).tap();
    const field = page.getByRole("searchbox", { name: "Find in terminal" });
    await expect(field.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await field.fill("needle-");
    await field.press("Enter");
    // The command line has it once, its output three times.
    const count = page.locator(".find-bar .find-count");
    await page.waitForFunction(() =>
      /^\d of 4$/.test(document.querySelector(".find-bar .find-count")?.textContent ?? ""),
    );
    expect(await count.textContent()).toMatch(/^[1-4] of 4$/);
    await page.getByRole("button", { name: "Next match" }).tap();
    await page.getByRole("button", { name: "Close find" }).tap();
    await field.waitFor({ state: "hidden" });
    await keyBar.getByRole("button", { name: "Page up" }).waitFor({ state: "hidden" });
  });

  test("the open composer leaves the cursor's row in sight above it", async () => {
    // Find (the test before) may have scrolled back to a match: to the bottom first.
    const jump = page.getByRole("button", { name: "Jump to bottom" });
    if (await jump.isVisible()) await jump.tap();
    await jump.waitFor({ state: "hidden" });
    const { cursorY, rows } = await view(page);
    // The prompt is on the last row: the worst case.
    expect(cursorY).toBeGreaterThan(rows - 3);
    await page
      .getByRole("toolbar", { name: "Terminal keys" })
      .getByRole("button", { name: "Compose" })
      .tap();
    await page.getByLabel("Compose text for the terminal").waitFor();
    await page.waitForFunction(() => {
      const host = document.querySelector(".terminal-host:not([hidden])") as HTMLElement & {
        terminal: { term: import("@xterm/xterm").Terminal };
      };
      const { term } = host.terminal;
      const screen = host.querySelector(".xterm-screen")?.getBoundingClientRect();
      const panel = document.querySelector(".dock-panel")?.getBoundingClientRect();
      if (!screen || !panel) return false;
      const rowBottom = screen.top + ((term.buffer.active.cursorY + 1) * screen.height) / term.rows;
      return rowBottom <= panel.top + 0.5;
    });
    await page.getByRole("button", { name: "Close composer" }).tap();
  });

  test("every control on the workbench, the list and the inbox is at least 44 × 44 px", async () => {
    // On the workbench, scrolled back (the jump button shows) and with More open.
    await showMore(page);
    await page.getByRole("button", { name: "Page up" }).tap();
    await page.getByRole("button", { name: "Jump to bottom" }).waitFor();
    expect(await smallTargets(page)).toEqual([]);
    expect(await cutOff(page)).toEqual([]);
    await page.getByRole("button", { name: "Back to sessions" }).tap();
    await page.getByRole("list", { name: "Sessions" }).waitFor();
    expect(await smallTargets(page)).toEqual([]);
    await page.getByRole("link", { name: /^Inbox/ }).tap();
    await page.getByRole("heading", { name: "Inbox" }).waitFor();
    expect(await smallTargets(page)).toEqual([]);
  });

  test("the top bar fits: Sessions and Inbox, the other pages behind More", async () => {
    const bar = page.locator(".top-bar");
    expect(await cutOff(page)).toEqual([]);
    // Only Sessions and Inbox are links of their own; nothing in the bar scrolls out of sight.
    expect(await bar.getByRole("link", { name: "Providers" }).isVisible()).toBe(false);
    await bar.getByText("More").tap();
    const account = bar.getByRole("link", { name: "Account" });
    await account.waitFor();
    for (const name of ["Search", "Providers", "Audit", "Users", "Account"]) {
      expect(await bar.getByRole("link", { name }).isVisible()).toBe(true);
    }
    expect(await smallTargets(page)).toEqual([]);
    expect(await cutOff(page)).toEqual([]);
    await account.tap();
    await page.getByRole("heading", { name: "Account" }).waitFor();
    // Chosen, the list closes; More is marked as holding the current page.
    await account.waitFor({ state: "hidden" });
    expect(await bar.locator("summary").getAttribute("aria-current")).toBe("page");
    await page.getByRole("link", { name: "Sessions" }).tap();
  });

  test("a long session name ends in an ellipsis and the tab's close button stays in sight", async () => {
    const long = await createShell(`a session with a very long name ${"that goes on ".repeat(6)}`);
    await openShell(page, long);
    const tab = page.locator(".tab.active");
    const close = tab.locator(".tab-close");
    const box = await close.boundingBox();
    expect(box).not.toBeNull();
    expect((box?.x ?? -1) >= 0 && (box?.x ?? 0) + (box?.width ?? 0) <= 390).toBe(true);
    const name = tab.getByRole("tab");
    expect(await name.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    expect(await cutOff(page)).toEqual([]);
  });
});

describe("phone, landscape", () => {
  test("a phone held sideways gets the phone layout: a wide terminal, every key, nothing cut off", async () => {
    const { page, context } = await newPage(browser, LANDSCAPE);
    try {
      // Sideways, an open session hides the top bar (and its Sign out): sign in on the list.
      await signIn(page, server);
      await openShell(page, sessionId);
      await page.getByRole("toolbar", { name: "Terminal keys" }).waitFor();
      expect(await page.locator(".sidebar").isVisible()).toBe(false);
      // All 18 keys (upload included) in one row; no More, nor Files and Changes keys.
      const keys = await page
        .getByRole("toolbar", { name: "Terminal keys" })
        .getByRole("button")
        .evaluateAll((buttons) =>
          buttons
            .map((b) => b.getBoundingClientRect())
            .filter((r) => r.width > 0)
            .map((r) => Math.round(r.top)),
        );
      expect(keys).toHaveLength(18);
      expect(new Set(keys).size).toBe(1);
      // Files and Changes are not keys there: the session header shows them.
      for (const name of ["Files", "Changes"])
        expect(await page.getByRole("button", { name, exact: true }).isVisible()).toBe(true);
      expect(await cutOff(page)).toEqual([]);
      expect(await smallTargets(page)).toEqual([]);
      const { cols, rows } = await page.evaluate(() => {
        const host = document.querySelector(".terminal-host:not([hidden])") as HTMLElement & {
          terminal: { term: import("@xterm/xterm").Terminal };
        };
        return { cols: host.terminal.term.cols, rows: host.terminal.term.rows };
      });
      expect(cols).toBeGreaterThan(100);
      expect(rows).toBeGreaterThanOrEqual(14);
      await shot(page, "phone-landscape");
    } finally {
      await context.close();
    }
  });
});

describe("desktop", () => {
  test("a desktop keeps its compact layout, gets jump to bottom and counts Find's matches", async () => {
    const { page, context } = await newPage(browser, { viewport: { width: 1440, height: 900 } });
    try {
      await signIn(page, server, `/s/${sessionId}`);
      await waitForLine(page, sessionId, "^needle-3$");
      expect(await page.getByRole("toolbar", { name: "Terminal keys" }).isVisible()).toBe(false);
      expect(await page.locator(".scroll-rail").isVisible()).toBe(false);
      const stop = await page.getByRole("button", { name: "Stop" }).boundingBox();
      expect(stop?.height).toBeLessThan(44);

      await page.locator(".terminal-host:not([hidden]) .xterm-screen").hover();
      await page.mouse.wheel(0, -600);
      const jump = page.getByRole("button", { name: "Jump to bottom" });
      await jump.click();
      await jump.waitFor({ state: "hidden" });
      await waitForTop(page, "bottom");

      const headHeight = () =>
        page.locator(".session-head").evaluate((head) => head.getBoundingClientRect().height);
      const before = await headHeight();
      const find = page.getByRole("searchbox", { name: "Find in terminal" });
      await find.fill("needle-");
      await find.press("Enter");
      await page
        .locator(".session-head .find-count")
        .getByText(/^\d of \d+$/)
        .waitFor();
      // The count has its room kept: the header keeps its height (a taller one would
      // take a row from the terminal, and with it the match's selection).
      expect(await headHeight()).toBe(before);
    } finally {
      await context.close();
    }
  });
});
