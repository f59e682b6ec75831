// The browser UI in real headless Chromium against a real server: sign-in, spawning a shell,
// typing into xterm.js, reload and reconnect without duplicated output, resize, read-only
// viewers, first-run setup and the phone key bar. Screenshots go to docs/screenshots/.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { providerInfoSchema } from "../src/protocol/providers.ts";
import { CloseCode } from "../src/protocol/stream.ts";
import {
  newPage,
  PHONE,
  shot,
  signIn,
  terminalText,
  WAIT_MS,
  waitForLine,
  withServerAndBrowser,
} from "./support/browser.ts";
import { bodyOf } from "./support/responses.ts";
import { ADMIN, eventually, startTestServer, type TestServer } from "./support/server.ts";

let server: TestServer;
let browser: Browser;

withServerAndBrowser(
  {
    loginLimit: { count: 1000, perMs: 60_000 },
    // Sessions with no output turn idle quickly, for the attention badge.
    env: { IDLE_AFTER: "1s" },
  },
  (started, launched) => {
    [server, browser] = [started, launched];
  },
);

/** Open the new-session dialog and start a login shell in /tmp; the new session's id. */
/** The id of the session the page moved to from `before` (the URL it had). */
async function newSessionId(page: Page, before: string): Promise<string> {
  await page.waitForURL((url) => /^\/s\/[\w-]+$/.test(url.pathname) && url.href !== before);
  return new URL(page.url()).pathname.split("/").pop() as string;
}

async function startShell(page: Page, name?: string): Promise<string> {
  const before = page.url();
  await page.getByRole("button", { name: "New" }).click();
  const dialog = page.getByRole("dialog", { name: "New session" });
  await dialog.getByLabel("Working directory").fill("/tmp");
  if (name) await dialog.getByLabel("Name (optional)").fill(name);
  await dialog.getByRole("button", { name: "Start" }).click();
  const id = await newSessionId(page, before);
  // A prompt: the login shell is up and reading.
  await waitForLine(page, id, "[$#] ?$");
  return id;
}

/** Count the lines of the buffer that are exactly `line`. */
const countLines = (text: string, line: string) =>
  text.split("\n").filter((l) => l.trimEnd() === line).length;

describe("desktop", () => {
  let page: Page;
  let context: BrowserContext;
  let sessionId: string;
  let errors: string[];
  const assets: string[] = [];

  afterAll(() => context.close());

  beforeAll(async () => {
    ({ page, context, errors } = await newPage(browser));
    page.on("response", (response) => {
      if (response.ok()) assets.push(new URL(response.url()).pathname);
    });
  });

  test("a signed-out visitor is sent to sign in and comes back to the page asked for", async () => {
    await page.goto(`${server.url}/providers`);
    await page.waitForURL(/\/login\?next=%2Fproviders$/);
    await shot(page, "desktop-sign-in");
    await page.getByLabel("Password").fill("wrong password entirely");
    await page.getByLabel("Username").fill(ADMIN.username);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").getByText("Wrong username or password.").waitFor();
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/providers$/);
    await page.getByRole("heading", { name: "Providers" }).waitFor();
    await page.getByText("Shell", { exact: true }).waitFor();
    await shot(page, "desktop-providers");
  });

  test("a shell spawned from the dialog runs what is typed into the terminal", async () => {
    await page.getByRole("link", { name: "Sessions" }).click();
    sessionId = await startShell(page, "first shell");
    await page.keyboard.type("echo $((6*7))");
    await page.keyboard.press("Enter");
    const text = await waitForLine(page, sessionId, "^42$");
    expect(countLines(text, "42")).toBe(1);
    await page.getByRole("link", { name: /first shell/ }).waitFor();
    expect(await page.evaluate(() => document.adoptedStyleSheets.length)).toBeGreaterThan(0);
    // The WebGL renderer is a chunk of its own, fetched after the terminal first paints.
    expect(assets.some((path) => /^\/assets\/addon-webgl-\w+\.js$/.test(path))).toBe(true);
    await shot(page, "desktop-terminal");
  });

  test("after a reload the earlier output is there once, not twice", async () => {
    await page.reload();
    const text = await waitForLine(page, sessionId, "^42$");
    expect(countLines(text, "42")).toBe(1);
    expect(text.split("echo $((6*7))").length - 1).toBe(1);
  });

  test("a stream dropped by the server resumes where it stopped", async () => {
    server.closeSockets(CloseCode.timeout, "test drops every socket");
    await page.getByRole("status").getByText("reconnecting…").waitFor();
    await page.getByText("reconnecting…").waitFor({ state: "detached" });
    await page.keyboard.type("echo resumed-$((5*5))");
    await page.keyboard.press("Enter");
    const text = await waitForLine(page, sessionId, "^resumed-25$");
    expect(countLines(text, "42")).toBe(1);
    expect(countLines(text, "resumed-25")).toBe(1);
  });

  test("find selects a match; copy and paste go through the clipboard", async () => {
    await page.getByLabel("Find in terminal").fill("resumed-2");
    await page.getByLabel("Find in terminal").press("Enter");
    await page.waitForFunction(
      (id) =>
        (
          document.querySelector(`.terminal-host[data-session="${id}"]`) as HTMLElement & {
            terminal?: { term: { getSelection(): string } };
          }
        )?.terminal?.term.getSelection() === "resumed-2",
      sessionId,
    );
    // Ctrl+Shift+C copies the selection; Ctrl+Shift+V pastes into the program.
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    await page.bringToFront();
    await page
      .locator(`.terminal-host[data-session="${sessionId}"] .xterm-helper-textarea`)
      .focus();
    await page.keyboard.press("Control+Shift+C");
    await page.waitForFunction(async () => (await navigator.clipboard.readText()) === "resumed-2");
    await page.evaluate(() => navigator.clipboard.writeText("echo clip-$((1+2))"));
    await page.keyboard.press("Control+Shift+V");
    await waitForLine(page, sessionId, "echo clip-\\$\\(\\(1\\+2\\)\\)$");
    await page.keyboard.press("Enter");
    const text = await waitForLine(page, sessionId, "^clip-3$");
    expect(text).not.toContain("echo clip-$((1+2))echo");
  });

  test("a flood of output is paced, not piled up, and the terminal stays usable", async () => {
    // About 16 MB at once: more than xterm parses before the stream pauses (8 MB backlog).
    await page.keyboard.type("seq 1 2000000; echo flood-$((9*9))");
    await page.keyboard.press("Enter");
    await waitForLine(page, sessionId, "^flood-81$");
    await page.getByText("reconnecting…").waitFor({ state: "detached" });
    await page.keyboard.type("echo after-flood");
    await page.keyboard.press("Enter");
    await waitForLine(page, sessionId, "^after-flood$");
  }, 60_000);

  test("a paused stream (xterm behind) resumes from its offset, nothing lost or doubled", async () => {
    type Stream = { pause(): void; resume(): void };
    const stream = (action: "pause" | "resume") =>
      page.evaluate(
        ([id, act]) => {
          const host = document.querySelector(`.terminal-host[data-session="${id}"]`) as
            | (HTMLElement & { terminal?: { stream: Stream } })
            | null;
          host?.terminal?.stream[act as "pause" | "resume"]();
        },
        [sessionId, action] as const,
      );
    await stream("pause");
    await server.request("POST", `/sessions/${sessionId}/input`, {
      data: "echo while-paused-$((3*3))\n",
    });
    await eventually(async () => {
      const out = await fetch(`${server.api}/sessions/${sessionId}/output`, {
        headers: server.auth,
      });
      return (await out.text()).includes("while-paused-9") ? true : undefined;
    }, "the output on the server");
    expect(await terminalText(page, sessionId)).not.toContain("while-paused-9");
    await stream("resume");
    const text = await waitForLine(page, sessionId, "^while-paused-9$");
    expect(countLines(text, "while-paused-9")).toBe(1);
    expect(text.split("echo while-paused-$((3*3))").length - 1).toBe(1);
  });

  test("resizing the window resizes the PTY", async () => {
    const before = await server.getSession(sessionId);
    await page.setViewportSize({ width: 900, height: 600 });
    // The size the terminal settled on (a resize may be fitted in more than one step), once the
    // PTY has it too.
    const after = await eventually(async () => {
      const shown = await page.evaluate((id) => {
        const host = document.querySelector(`.terminal-host[data-session="${id}"]`) as
          | (HTMLElement & { terminal?: { term: { cols: number; rows: number } } })
          | null;
        return host?.terminal
          ? { cols: host.terminal.term.cols, rows: host.terminal.term.rows }
          : null;
      }, sessionId);
      const session = await server.getSession(sessionId);
      const smaller = session.cols < before.cols && session.rows < before.rows;
      const same = shown?.cols === session.cols && shown.rows === session.rows;
      return smaller && same ? session : undefined;
    }, "a smaller PTY of the terminal's size");
    await page.keyboard.type("stty size");
    await page.keyboard.press("Enter");
    await waitForLine(page, sessionId, `^${after.rows} ${after.cols}$`);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  test("the new-session dialog completes working directories", async () => {
    await page.getByRole("button", { name: "New" }).click();
    const dialog = page.getByRole("dialog", { name: "New session" });
    await dialog.getByLabel("Working directory").fill("/us");
    await page.waitForFunction(() =>
      [...document.querySelectorAll("#cwd-completions option")].some(
        (o) => (o as HTMLOptionElement).value === "/usr",
      ),
    );
    await shot(page, "desktop-new-session");
    await dialog.getByRole("button", { name: "Cancel" }).click();
  });

  test("extra arguments reach the program as words, quotes grouped and nothing expanded", async () => {
    await page.getByRole("button", { name: "New" }).click();
    const dialog = page.getByRole("dialog", { name: "New session" });
    await dialog.getByLabel("Working directory").fill("/tmp");
    await dialog
      .getByLabel("Extra arguments (optional)")
      .fill(`-c 'echo "args ok: $0"; exec cat' word`);
    const before = page.url();
    await dialog.getByRole("button", { name: "Start" }).click();
    const id = await newSessionId(page, before);
    await waitForLine(page, id, "^args ok: word$");
    expect((await server.getSession(id)).args).toEqual([
      "-c",
      'echo "args ok: $0"; exec cat',
      "word",
    ]);
  });

  test("rename, stop, restart and delete, each confirmed where it destroys", async () => {
    await page.getByRole("link", { name: "Sessions" }).click();
    const id = await startShell(page, "doomed");
    const head = page.locator(".session-head");
    // Rename, Share and Delete are under the header's "⋯".
    await head.getByLabel("Session actions").click();
    await head.getByRole("button", { name: "Rename" }).click();
    const rename = page.getByRole("dialog", { name: "Rename session" });
    await rename.getByLabel("Name").fill("renamed shell");
    // A lifecycle event re-renders the page while the dialog is open: what was typed stays.
    await server.request("PATCH", `/sessions/${id}`, { name: "doomed, renamed meanwhile" });
    await page.getByRole("link", { name: /renamed meanwhile/ }).waitFor();
    await rename.getByRole("button", { name: "Rename" }).click();
    await page.getByRole("link", { name: /renamed shell/ }).waitFor();
    expect((await server.getSession(id)).name).toBe("renamed shell");

    await head.getByRole("button", { name: "Stop" }).click();
    const confirmStop = page.getByRole("dialog", { name: "Stop session?" });
    await confirmStop.getByRole("button", { name: "Cancel" }).click();
    // Still live (IDLE_AFTER is 1 s here: it may have gone idle meanwhile).
    expect(["running", "idle"]).toContain((await server.getSession(id)).state);
    await head.getByRole("button", { name: "Stop" }).click();
    await confirmStop.getByRole("button", { name: "Stop" }).click();
    await head.getByText(/^(stopped|ended)/).waitFor();
    await page.getByTestId("exit-banner").getByText("Stopped on request").waitFor();

    await head.getByRole("button", { name: "Restart" }).click();
    await page.waitForURL((url) => url.pathname.startsWith("/s/") && !url.pathname.endsWith(id));
    const next = new URL(page.url()).pathname.split("/").pop() as string;
    expect((await server.getSession(next)).parentSessionId).toBe(id);
    await waitForLine(page, next, "[$#] ?$");

    await head.getByLabel("Session actions").click();
    await head.getByRole("button", { name: "Delete" }).click();
    await page
      .getByRole("dialog", { name: "Delete session?" })
      .getByRole("button", { name: "Delete" })
      .click();
    await page.waitForURL((url) => !url.pathname.endsWith(next));
    expect((await server.request("GET", `/sessions/${next}`)).status).toBe(404);
    expect(await page.locator(`.terminal-host[data-session="${next}"]`).count()).toBe(0);
  });

  test("providers can be turned off and on from the providers page", async () => {
    await page.getByRole("link", { name: "Providers" }).click();
    const card = page.locator(".provider-card", { hasText: "Codex" });
    const enabled = card.getByRole("checkbox", { name: "enabled" });
    await enabled.uncheck();
    await eventually(async () => {
      const codex = bodyOf(
        await server.request("GET", "/providers/codex"),
        200,
        providerInfoSchema,
      );
      return codex.enabled === false ? true : undefined;
    }, "codex disabled");
    await enabled.check();
    await eventually(async () => {
      const codex = bodyOf(
        await server.request("GET", "/providers/codex"),
        200,
        providerInfoSchema,
      );
      return codex.enabled === true ? true : undefined;
    }, "codex enabled");
  });

  test("the audit page lists sign-ins and session starts", async () => {
    await page.getByRole("link", { name: "Audit" }).click();
    await page.getByRole("cell", { name: "session.create" }).first().waitFor();
    await shot(page, "desktop-audit");
  });

  test("a session waiting on a prompt is marked in its row and tab and counts in the title", async () => {
    await page.getByRole("link", { name: "Sessions" }).click();
    await page.getByRole("link", { name: /first shell/ }).click();
    await server.spawnShell('read -r -p "Go on? [y/N] " reply; exec cat', { name: "asks" });
    const row = page.getByRole("link", { name: /asks/ });
    await row.getByText("needs you", { exact: true }).waitFor();
    await page.waitForFunction(() => /^\([1-9]\d*\) first shell — OpenDray$/.test(document.title));
    await row.click();
    await page.getByRole("tab", { name: /asks/ }).getByLabel("Waiting for you").waitFor();
    await page.waitForFunction(() => /^\([1-9]\d*\) asks — OpenDray$/.test(document.title));
  });

  test("an expired sign-in leads to the sign-in page and back to where the user was", async () => {
    await context.clearCookies();
    // Opened by its address: a click on the nav could lose the race with a request the page
    // makes by itself (its events socket, a list refresh), whose 401 already leads to the
    // sign-in page, then back to the page it was on rather than this one.
    await page.goto(new URL("/providers", page.url()).href);
    await page.waitForURL(/\/login\?next=%2Fproviders$/);
    await page.getByLabel("Username").fill(ADMIN.username);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/providers$/);
    await page.getByRole("heading", { name: "Providers" }).waitFor();
  });

  test("the page made no script errors; xterm's blocked <style> elements are mirrored", async () => {
    // Expected noise: the first /auth/me before signing in (401), the dropped sockets, and the
    // CSP refusing xterm's <style> elements, whose rules CspStyleBridge applies instead.
    const unexpected = errors.filter(
      (e) => !/401|WebSocket|Applying inline style violates .*'style-src 'self''/.test(e),
    );
    expect(unexpected).toEqual([]);
  });
});

describe("dark", () => {
  test("the system's dark scheme gives a dark page and terminal", async () => {
    const session = await server.spawnShell(
      "printf '\\033[1;32mok\\033[0m build passed\\n\\033[33mwarning\\033[0m 2 skipped\\n'; exec cat",
      { name: "dark build" },
    );
    const { page, context } = await newPage(browser, { colorScheme: "dark" });
    try {
      await signIn(page, server, `/s/${session.id}`);
      await waitForLine(page, session.id, "^warning 2 skipped$");
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      expect(background).toBe("rgb(16, 18, 22)");
      await shot(page, "desktop-terminal-dark");
    } finally {
      await context.close();
    }
  });
});

describe("notifications", () => {
  test("turned on in the settings, a session that starts waiting raises a notification", async () => {
    const { page, context } = await newPage(browser);
    try {
      await context.grantPermissions(["notifications"]);
      await signIn(page, server);
      await page.getByRole("link", { name: "Notification settings" }).click();
      await page.getByLabel("Notify in this tab while it is open").check();
      await page.locator('a[aria-label="Notification settings"][data-on="true"]').waitFor();
      await server.spawnShell('read -r -p "Ship it? [y/N] " reply; exec cat', { name: "release" });
      // Shown through the service worker's registration (Chrome on Android has no other way),
      // whose list getNotifications reads.
      await eventually(
        () =>
          page.evaluate(async () => {
            const notes = await (await navigator.serviceWorker.ready).getNotifications();
            return notes.some((note) => note.title === "release needs you") || undefined;
          }),
        "the tab's notification",
      );
    } finally {
      await context.close();
    }
  });
});

describe("viewer", () => {
  test("a viewer watches but cannot type", async () => {
    const session = await server.spawnShell("cat", { name: "watched" });
    await server.createUser("watcher", "viewer");
    const { page, context } = await newPage(browser);
    try {
      await signIn(page, server, `/s/${session.id}`, {
        username: "watcher",
        password: ADMIN.password,
      });
      await page.getByText("read-only").waitFor();
      expect(await page.getByRole("button", { name: "New" }).count()).toBe(0);
      await page.locator(".terminal-host .xterm").click();
      await page.keyboard.type("typed-by-viewer\n");
      // The admin types after the viewer; once that arrives, the viewer's keys would have too.
      await server.request("POST", `/sessions/${session.id}/input`, { data: "from-admin\n" });
      await waitForLine(page, session.id, "^from-admin$");
      const output = await fetch(`${server.api}/sessions/${session.id}/output`, {
        headers: server.auth,
      });
      expect(await output.text()).not.toContain("typed-by-viewer");
      expect(await terminalText(page, session.id)).not.toContain("typed-by-viewer");
    } finally {
      await context.close();
    }
  });
});

describe("phone", () => {
  test("the key bar's Ctrl-C interrupts sleep 100", async () => {
    const { page, context } = await newPage(browser, PHONE);
    try {
      await signIn(page, server);
      await page.getByText("Loading sessions…").waitFor({ state: "detached" });
      await shot(page, "phone-sessions");
      const id = await startShell(page, "phone shell");
      const keyBar = page.getByRole("toolbar", { name: "Terminal keys" });
      await keyBar.waitFor();
      await page.locator(".terminal-host:not([hidden]) .xterm").tap();
      await page.keyboard.type("sleep 100");
      await page.keyboard.press("Enter");
      await eventually(async () => {
        const ps = Bun.spawnSync(["pgrep", "-f", "^sleep 100$"]);
        return ps.exitCode === 0 ? true : undefined;
      }, "sleep 100 running");
      await keyBar.getByRole("button", { name: "Ctrl-C", exact: true }).tap();
      await waitForLine(page, id, "^\\^C$");
      // bash reports 130 (128 + SIGINT) for the interrupted sleep.
      await page.keyboard.type("echo status-$?");
      await page.keyboard.press("Enter");
      await waitForLine(page, id, "^status-130$");

      // Sticky Ctrl applies to the next key typed: Ctrl, then c, interrupts too.
      await page.keyboard.type("sleep 100");
      await page.keyboard.press("Enter");
      await eventually(
        () => (Bun.spawnSync(["pgrep", "-f", "^sleep 100$"]).exitCode === 0 ? true : undefined),
        "the second sleep 100 running",
      );
      await keyBar.getByRole("button", { name: "Ctrl", exact: true }).tap();
      await page.keyboard.type("c");
      await page.keyboard.type("echo sticky-$?");
      await page.keyboard.press("Enter");
      await waitForLine(page, id, "^sticky-130$");

      // Paste from the clipboard.
      // The clipboard answers only the focused page (other tests' pages are open too).
      await context.grantPermissions(["clipboard-read", "clipboard-write"]);
      await page.bringToFront();
      await page.evaluate(() => navigator.clipboard.writeText("echo pasted-$((8*8))"));
      // Paste is one of the keys behind "More" on a phone.
      await keyBar.getByRole("button", { name: "More keys" }).tap();
      await keyBar.getByRole("button", { name: "Paste", exact: true }).tap();
      // The clipboard is read asynchronously: Enter only once the pasted line is at the prompt.
      await waitForLine(page, id, "echo pasted-\\$\\(\\(8\\*8\\)\\)$");
      await page.keyboard.press("Enter");
      await waitForLine(page, id, "^pasted-64$");

      // The composer sends its text as one paste, then Enter; neither it nor the soft keyboard
      // (its inset simulated) changes the PTY's size.
      const size = await server.getSession(id);
      await keyBar.getByRole("button", { name: "Compose" }).tap();
      await page.evaluate(() =>
        document.documentElement.style.setProperty("--keyboard-inset", "300px"),
      );
      const composer = page.getByLabel("Compose text for the terminal");
      await composer.fill("echo composed-$((2+3))");
      await page.getByRole("button", { name: "Send ⏎" }).tap();
      await waitForLine(page, id, "^composed-5$");
      await shot(page, "phone-composer");
      const after = await server.getSession(id);
      expect([after.cols, after.rows]).toEqual([size.cols, size.rows]);
      await page.getByRole("button", { name: "Close composer" }).tap();
      await page.evaluate(() => document.documentElement.style.removeProperty("--keyboard-inset"));
      await shot(page, "phone-terminal");
    } catch (error) {
      await shot(page, "failed-phone");
      throw error;
    } finally {
      await context.close();
    }
  });
});

describe("first run", () => {
  test(
    "the setup page creates the first admin and signs them in",
    async () => {
      const fresh = await startTestServer({ noAdmin: true });
      const { page, context } = await newPage(browser);
      try {
        expect(fresh.setupUrl).toContain("/setup#token=");
        await page.goto(fresh.setupUrl as string);
        await page.getByLabel("Username").fill("owner");
        await page.getByLabel("Password (12 characters or more)").fill("a very long password");
        await page.getByLabel("Password again").fill("a very long password");
        await shot(page, "desktop-setup");
        await page.getByRole("button", { name: "Create account" }).click();
        await page.getByRole("button", { name: "Sign out" }).waitFor();
        expect(new URL(page.url()).pathname).toBe("/");
        expect(await fresh.login("owner", "a very long password")).toBeString();
        await page.getByRole("button", { name: "Sign out" }).click();
        await page.waitForURL(/\/login$/);
      } finally {
        await context.close();
        await fresh.dispose();
      }
    },
    WAIT_MS * 2,
  );
});
