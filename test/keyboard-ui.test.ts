// Keyboard and pointer use in real headless Chromium against a real server: Ctrl+V pastes at a
// prompt and sends ^V to full-screen programs (or always, as set), the way out of the terminal,
// the shortcuts and the command palette, the first fit of a terminal, and the tabs pattern.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { type Session, sessionSchema } from "../src/protocol/session.ts";
import {
  newPage,
  signIn,
  terminalText,
  waitForLine,
  withServerAndBrowser,
} from "./support/browser.ts";
import { bodyOf } from "./support/responses.ts";
import { eventually, type TestServer } from "./support/server.ts";

let server: TestServer;
let browser: Browser;

withServerAndBrowser({ loginLimit: { count: 1000, perMs: 60_000 } }, (started, launched) => {
  [server, browser] = [started, launched];
});

const DESKTOP = { viewport: { width: 1440, height: 900 } };

/** A login shell (a prompt that reads lines) named `name`. */
async function loginShell(name: string): Promise<Session> {
  const response = await server.request("POST", "/sessions", {
    provider: "shell",
    cwd: "/tmp",
    name,
  });
  return bodyOf(response, 201, sessionSchema);
}

/** Reads one byte in raw mode (the tty passes ^V on as it is) into $k, in hex. */
const READ_ONE_BYTE = "stty raw -echo; k=$(head -c1 | od -An -tx1 | tr -d ' '); stty sane";

/** `head -c1` of READ_ONE_BYTE is reading: raw mode is on. */
const readingOneByte = () =>
  eventually(
    () => (Bun.spawnSync(["pgrep", "-f", "^head -c1$"]).exitCode === 0 ? true : undefined),
    "head -c1 reading",
  );

/** The lines of a terminal's buffer that are exactly `line`. */
const countLines = async (page: Page, id: string, line: string) =>
  (await terminalText(page, id)).split("\n").filter((l) => l.trimEnd() === line).length;

const terminalArea = (page: Page, id: string) =>
  page.locator(`.terminal-host[data-session="${id}"] .xterm-helper-textarea`);

/** What has the focus: "terminal:<id>", "tab:<name>", the combobox, or the element's tag. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const element = document.activeElement;
    const host = element?.closest<HTMLElement>(".terminal-host");
    if (host) return `terminal:${host.dataset.session}`;
    if (element?.getAttribute("role") === "tab") return `tab:${element.textContent?.trim()}`;
    if (element?.getAttribute("role") === "combobox") return "combobox";
    return element?.tagName.toLowerCase() ?? "none";
  });

const sessionIdOf = (page: Page) => new URL(page.url()).pathname.split("/").pop() as string;

test("the first fit is the final one: no empty strip, one resize sent", async () => {
  const session = await server.spawnShell("echo READY; exec cat");
  const { page, context } = await newPage(browser, DESKTOP);
  const resizes: string[] = [];
  page.on("websocket", (socket) => {
    if (!socket.url().includes("/stream")) return;
    socket.on("framesent", ({ payload }) => {
      if (typeof payload === "string" && payload.includes('"resize"')) resizes.push(payload);
    });
  });
  try {
    await signIn(page, server, `/s/${session.id}`);
    await waitForLine(page, session.id, "^READY$");
    // The WebGL renderer (its own chunk, loaded after the first paint) has taken over.
    await page.waitForFunction(
      (id) =>
        (
          document.querySelector(`.terminal-host[data-session="${id}"]`) as HTMLElement & {
            terminal?: { renderer: { value: string } };
          }
        )?.terminal?.renderer.value === "webgl",
      session.id,
    );
    const size = await eventually(async () => {
      const body = await server.getSession(session.id);
      return body.cols !== session.cols ? { cols: body.cols, rows: body.rows } : undefined;
    }, "the page's size on the PTY");
    const fit = await page.evaluate((id) => {
      const host = document.querySelector(`.terminal-host[data-session="${id}"]`) as HTMLElement & {
        terminal: {
          term: { cols: number; rows: number };
          fit: { proposeDimensions(): { cols: number; rows: number } };
        };
      };
      const screen = host.querySelector(".xterm-screen") as HTMLElement;
      const xterm = getComputedStyle(host.querySelector(".xterm") as HTMLElement);
      const { cols, rows } = host.terminal.term;
      // What FitAddon can fill: the host's width less the terminal's padding and its scrollbar.
      const usable =
        Number.parseFloat(getComputedStyle(host).width) -
        Number.parseFloat(xterm.paddingLeft) -
        Number.parseFloat(xterm.paddingRight) -
        14;
      return {
        cols,
        rows,
        proposed: host.terminal.fit.proposeDimensions(),
        strip: usable - screen.getBoundingClientRect().width,
        cell: screen.getBoundingClientRect().width / cols,
      };
    }, session.id);
    expect({ cols: fit.cols, rows: fit.rows }).toEqual(fit.proposed);
    expect(fit.strip).toBeGreaterThanOrEqual(0);
    expect(fit.strip).toBeLessThan(fit.cell);
    expect(size).toEqual({ cols: fit.cols, rows: fit.rows });
    expect(resizes).toEqual([JSON.stringify({ type: "resize", ...size })]);
  } finally {
    await context.close();
  }
});

describe("desktop keyboard", () => {
  let page: Page;
  let context: BrowserContext;
  let first: Session;
  let second: Session;
  let third: Session;

  beforeAll(async () => {
    [first, second, third] = await Promise.all([
      loginShell("paste shell"),
      loginShell("second shell"),
      loginShell("third shell"),
    ]);
    ({ page, context } = await newPage(browser, DESKTOP));
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    await signIn(page, server, `/s/${first.id}`);
    await waitForLine(page, first.id, "[$#] ?$");
  }, 30_000);
  afterAll(() => context.close());

  test("Ctrl+V pastes at the prompt", async () => {
    await page.bringToFront();
    await terminalArea(page, first.id).focus();
    await page.evaluate(() => navigator.clipboard.writeText("echo pasted-$((4*4))"));
    await page.keyboard.press("Control+V");
    const line = await waitForLine(page, first.id, "echo pasted-\\$\\(\\(4\\*4\\)\\)$");
    expect(line).not.toContain("^V");
    await page.keyboard.press("Enter");
    await waitForLine(page, first.id, "^pasted-16$");
  });

  test("Ctrl+V sends ^V to a full-screen program", async () => {
    await page.keyboard.type(
      `printf '\\e[?1049h'; ${READ_ONE_BYTE}; printf '\\e[?1049l'; echo "got:$k"`,
    );
    await page.keyboard.press("Enter");
    await readingOneByte();
    await page.waitForFunction(
      (id) =>
        (
          document.querySelector(`.terminal-host[data-session="${id}"]`) as HTMLElement & {
            terminal?: { term: { buffer: { active: { type: string } } } };
          }
        )?.terminal?.term.buffer.active.type === "alternate",
      first.id,
    );
    await page.keyboard.press("Control+V");
    await waitForLine(page, first.id, "^got:16$");
  });

  test("set to always send ^V, Ctrl+V sends it at the prompt too", async () => {
    await page.getByRole("link", { name: "Notification settings" }).click();
    await page.getByRole("radio", { name: /Always send \^V/ }).check();
    await page.getByRole("link", { name: "Sessions", exact: true }).click();
    await page.getByRole("link", { name: /paste shell/ }).click();
    await waitForLine(page, first.id, "^got:16$");
    await terminalArea(page, first.id).focus();
    await page.keyboard.type(`${READ_ONE_BYTE}; echo "got:$k"`);
    await page.keyboard.press("Enter");
    await readingOneByte();
    // Pasted, the clipboard's "echo …" would give "got:65" (e).
    await page.keyboard.press("Control+V");
    await eventually(
      async () => ((await countLines(page, first.id, "got:16")) === 2 ? true : undefined),
      "a second got:16",
    );
    await page.getByRole("link", { name: "Notification settings" }).click();
    await page.getByRole("radio", { name: /Paste outside full-screen programs/ }).check();
    await page.getByRole("link", { name: "Sessions", exact: true }).click();
  });

  test("Tab stays in the terminal; Ctrl+Shift+F6 leaves it for its tab", async () => {
    await page.getByRole("link", { name: /second shell/ }).click();
    await page.getByRole("link", { name: /third shell/ }).click();
    await page.getByRole("link", { name: /paste shell/ }).click();
    await waitForLine(page, first.id, "[$#] ?$");
    await terminalArea(page, first.id).focus();
    await page.keyboard.press("Tab");
    await page.keyboard.press("Shift+Tab");
    expect(await focused(page)).toBe(`terminal:${first.id}`);
    await page.keyboard.press("Control+Shift+F6");
    expect(await focused(page)).toBe("tab:paste shell");
  });

  test("the tabs follow the tabs pattern: arrows, Home and End select; close names the session", async () => {
    const tablist = page.getByRole("tablist", { name: "Open sessions" });
    const selected = () => tablist.getByRole("tab", { selected: true }).textContent();
    expect(await tablist.getByRole("tab").count()).toBe(3);
    // One tab in the Tab order: the selected one.
    expect(await tablist.locator('[role="tab"][tabindex="0"]').count()).toBe(1);
    await page.keyboard.press("ArrowRight");
    await page.waitForURL(`**/s/${second.id}`);
    expect(await selected()).toContain("second shell");
    expect(await focused(page)).toBe("tab:second shell");
    await page.keyboard.press("End");
    await page.waitForURL(`**/s/${third.id}`);
    await page.keyboard.press("ArrowRight");
    await page.waitForURL(`**/s/${first.id}`);
    await page.keyboard.press("ArrowLeft");
    await page.waitForURL(`**/s/${third.id}`);
    await page.keyboard.press("Home");
    await page.waitForURL(`**/s/${first.id}`);
    expect(await focused(page)).toBe("tab:paste shell");
    for (const name of ["paste shell", "second shell", "third shell"]) {
      await tablist.getByRole("button", { name: `Close ${name}` }).waitFor({ state: "attached" });
    }
  });

  test("shortcuts switch tabs, open the new-session dialog and go to the session list", async () => {
    await terminalArea(page, first.id).focus();
    await page.keyboard.press("Control+Shift+BracketRight");
    await page.waitForURL(`**/s/${second.id}`);
    await page.waitForFunction(
      (id) =>
        document.activeElement?.closest<HTMLElement>(".terminal-host")?.dataset.session === id,
      second.id,
    );
    await page.keyboard.press("Control+Shift+BracketLeft");
    await page.waitForURL(`**/s/${first.id}`);
    await page.waitForFunction(
      (id) =>
        document.activeElement?.closest<HTMLElement>(".terminal-host")?.dataset.session === id,
      first.id,
    );
    await page.keyboard.press("Control+Shift+O");
    const dialog = page.getByRole("dialog", { name: "New session" });
    await dialog.waitFor();
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    expect(await focused(page)).toBe(`terminal:${first.id}`);
    // Nothing of the chords reached the shell.
    await page.keyboard.type("echo still-$((2+2))");
    await page.keyboard.press("Enter");
    await waitForLine(page, first.id, "^still-4$");
    // The session list: its row of the session on screen.
    await page.keyboard.press("Control+Shift+L");
    expect(
      await page.evaluate(() =>
        document.activeElement?.matches(".session-list a[aria-current=page]"),
      ),
    ).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toContain("paste shell");
  });

  test("the command palette finds a session by typing and opens it", async () => {
    await terminalArea(page, first.id).focus();
    await page.keyboard.press("Control+Shift+K");
    const palette = page.getByRole("dialog", { name: "Command palette" });
    const combobox = palette.getByRole("combobox");
    await combobox.waitFor();
    expect(await focused(page)).toBe("combobox");
    const options = palette.getByRole("option");
    for (const name of ["paste shell", "second shell", "third shell", "New session", "Sign out"]) {
      await options.filter({ hasText: name }).first().waitFor();
    }
    // The active option is announced through aria-activedescendant, and the arrows move it.
    const activeText = () =>
      page.evaluate(() => {
        const input = document.activeElement as HTMLElement;
        const id = input.getAttribute("aria-activedescendant");
        const option = id ? document.getElementById(id) : null;
        return option?.getAttribute("aria-selected") === "true" ? option.textContent : null;
      });
    expect(await combobox.getAttribute("aria-controls")).toBe(
      await palette.getByRole("listbox").getAttribute("id"),
    );
    const before = await activeText();
    await page.keyboard.press("ArrowDown");
    expect(await activeText()).not.toBe(before);

    await page.keyboard.type("third");
    await eventually(async () => ((await options.count()) === 1 ? true : undefined), "one match");
    expect(await activeText()).toContain("third shell");
    await page.keyboard.press("Enter");
    await page.waitForURL(`**/s/${third.id}`);
    await palette.waitFor({ state: "detached" });
    await page.waitForFunction(
      (id) =>
        document.activeElement?.closest<HTMLElement>(".terminal-host")?.dataset.session === id,
      third.id,
    );
  });

  test("Ctrl+K outside the terminal opens the palette; Esc gives the focus back", async () => {
    await page.keyboard.press("Control+Shift+F6");
    expect(await focused(page)).toBe("tab:third shell");
    await page.keyboard.press("Control+K");
    const palette = page.getByRole("dialog", { name: "Command palette" });
    await palette.waitFor();
    await page.keyboard.press("Escape");
    await palette.waitFor({ state: "detached" });
    expect(await focused(page)).toBe("tab:third shell");
    // In the terminal, Ctrl+K stays the program's (kill-line): no palette.
    await terminalArea(page, third.id).focus();
    await page.keyboard.type("echo kept-1 gone");
    for (let i = 0; i < 5; i++) await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("Control+K");
    await page.keyboard.press("Enter");
    await waitForLine(page, third.id, "^kept-1$");
    expect(await palette.count()).toBe(0);
    expect(sessionIdOf(page)).toBe(third.id);
  });
});
