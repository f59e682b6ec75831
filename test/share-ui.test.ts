// Share links in real headless Chromium against a real server and a real login shell: the owner
// makes a link in the share dialog; a fresh browser context with no sign-in opens it and follows
// the session live; its keys reach nothing; revoking the link ends the page at once. A recording
// link plays the session's recording in the Replay player (or, without one, the kept output).

import { expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { sessionSchema } from "../src/protocol/session.ts";
import { shareCreatedSchema } from "../src/protocol/shares.ts";
import {
  newPage,
  shot,
  signIn,
  terminalText,
  WAIT_MS,
  waitForLine,
  withServerAndBrowser,
} from "./support/browser.ts";
import { bodyOf } from "./support/responses.ts";
import { eventually, startTestServer, type TestServer } from "./support/server.ts";

const unexpected = (errors: string[]) =>
  errors.filter(
    (e) => !/status of 401|Applying inline style violates .*'style-src 'self''/.test(e),
  );

let server: TestServer;
let browser: Browser;

withServerAndBrowser({ loginLimit: { count: 1000, perMs: 60_000 } }, (started, launched) => {
  [server, browser] = [started, launched];
});

test("a link opened without an account streams the session live, types nothing, and stops at revocation", async () => {
  const session = bodyOf(
    await server.request("POST", "/sessions", { provider: "shell", cwd: "/tmp", name: "demo" }),
    201,
    sessionSchema,
  );
  const owner = await newPage(browser);
  await signIn(owner.page, server, `/s/${session.id}`);
  await waitForLine(owner.page, session.id, "[$#] ?$");
  await owner.page.locator(`.terminal-host[data-session="${session.id}"]`).click();
  await owner.page.keyboard.type("echo BEFORE-$((6*7))\n");
  await waitForLine(owner.page, session.id, "^BEFORE-42");

  // The owner makes a live link; it is shown once, with a Copy button.
  await owner.page.getByLabel("Session actions").click();
  await owner.page.getByRole("button", { name: "Share" }).click();
  const dialog = owner.page.getByRole("dialog", { name: "Share this session" });
  await dialog.getByLabel("Expires after").selectOption("3600");
  await dialog.getByRole("button", { name: "Create link" }).click();
  const url = await dialog.getByTestId("share-url").inputValue();
  expect(url).toMatch(new RegExp(`^${server.url}/share/${session.id}/[\\w-]{43}$`));
  await owner.context.grantPermissions(["clipboard-read", "clipboard-write"], {
    origin: server.url,
  });
  await dialog.getByRole("button", { name: "Copy" }).click();
  await dialog.getByRole("button", { name: "Copied" }).waitFor();
  expect(await owner.page.evaluate(() => navigator.clipboard.readText())).toBe(url);
  await dialog.getByRole("row").filter({ hasText: "Live" }).waitFor();
  await shot(owner.page, "share-dialog");
  await owner.page.keyboard.press("Escape");
  await dialog.waitFor({ state: "hidden" });

  // A fresh context: no cookie, no sign-in.
  const guest = await newPage(browser);
  await guest.page.goto(url);
  await guest.page.getByRole("heading", { name: "demo" }).waitFor();
  await waitForLine(guest.page, session.id, "^BEFORE-42");
  expect(await guest.context.cookies()).toEqual([]);
  // Nothing of the rest of the app: no navigation, no sign-out, no session list.
  expect(await guest.page.getByRole("navigation").count()).toBe(0);
  expect(await guest.page.getByRole("button", { name: "Sign out" }).count()).toBe(0);
  expect(await guest.page.locator(".session-list, .sidebar").count()).toBe(0);

  // Live: what the owner types appears on the shared page.
  await owner.page.locator(`.terminal-host[data-session="${session.id}"]`).click();
  await owner.page.keyboard.type("echo LIVE-$((7*7))\n");
  await waitForLine(guest.page, session.id, "^LIVE-49");

  // The guest's keys reach nothing: the owner's next command comes out, the guest's never.
  await guest.page.locator(`.terminal-host[data-session="${session.id}"]`).click();
  await guest.page.keyboard.type("echo GUEST-$((1+1))\n");
  await guest.page.keyboard.press("Control+C");
  await owner.page.keyboard.type("echo AFTER-$((2*2))\n");
  await waitForLine(owner.page, session.id, "^AFTER-4");
  await waitForLine(guest.page, session.id, "^AFTER-4");
  expect(await terminalText(owner.page, session.id)).not.toContain("GUEST");
  expect(await terminalText(guest.page, session.id)).not.toContain("GUEST");
  await shot(guest.page, "share-page");

  // Revoked: the shared page says so at once and its terminal goes.
  await owner.page.getByLabel("Session actions").click();
  await owner.page.getByRole("button", { name: "Share" }).click();
  await dialog.getByRole("button", { name: "Revoke" }).click();
  await guest.page
    .getByRole("heading", { name: "This link was revoked or has expired" })
    .waitFor({ timeout: WAIT_MS });
  expect(await guest.page.locator(".terminal-host").count()).toBe(0);
  await dialog.getByRole("cell", { name: "revoked" }).waitFor();
  await owner.page.keyboard.press("Escape");
  await owner.page.locator(`.terminal-host[data-session="${session.id}"]`).click();
  await owner.page.keyboard.type("echo GONE-$((3*3))\n");
  await waitForLine(owner.page, session.id, "^GONE-9");
  expect(await guest.page.textContent("body")).not.toContain("GONE-9");

  // Opened again, the link shows the same page, and nothing else.
  await guest.page.reload();
  await guest.page.getByRole("heading", { name: "This link was revoked or has expired" }).waitFor();
  // The revoked link's 404s are expected; xterm's inline styles are refused by the CSP everywhere.
  expect(unexpected(guest.errors).filter((e) => !/status of 404/.test(e))).toEqual([]);
  expect(unexpected(owner.errors)).toEqual([]);
  await owner.context.close();
  await guest.context.close();
}, 90_000);

test("a recording link plays the recording in the player, offers no download, types nothing", async () => {
  const session = bodyOf(
    await server.request("POST", "/sessions", {
      provider: "shell",
      cwd: "/tmp",
      args: ["-c", "stty raw -echo && printf 'PLAYED-OUTPUT\\r\\n' && exec cat"],
    }),
    201,
    sessionSchema,
  );
  const created = bodyOf(
    await server.request("POST", `/sessions/${session.id}/shares`, { mode: "recording" }),
    201,
    shareCreatedSchema,
  );
  const fetched = (path: string) => async () => {
    const response = await fetch(`${server.api}/sessions/${session.id}/${path}`, {
      headers: server.auth,
    });
    return response.text();
  };
  // The recording has the line before the page opens.
  await eventually(
    async () => (await fetched("recording.cast")()).includes("PLAYED-OUTPUT") || undefined,
    "the recording to hold the output",
  );
  const guest = await newPage(browser);
  const sockets: string[] = [];
  guest.page.on("websocket", (socket) => sockets.push(socket.url()));
  await guest.page.goto(`${server.url}${created.path}`);
  const player = guest.page.getByTestId("share-player");
  await player.getByRole("button", { name: "4×" }).click();
  expect(await player.getByRole("button", { name: "4×" }).getAttribute("aria-pressed")).toBe(
    "true",
  );
  // It waits for Play: nothing is shown before.
  expect(await player.locator(".xterm-rows").textContent()).not.toContain("PLAYED-OUTPUT");
  await player.getByRole("button", { name: "Play", exact: true }).click();
  await eventually(
    async () =>
      ((await player.locator(".xterm-rows").textContent()) ?? "").includes("PLAYED-OUTPUT") ||
      undefined,
    "the recording's line in the player",
  );
  await guest.page.getByText("Recording · read-only").waitFor();
  expect(await guest.page.locator("a[download], a[href*='recording']").count()).toBe(0);
  expect(await guest.page.locator(".terminal-host").count()).toBe(0);
  await shot(guest.page, "share-recording");

  // The guest's keys reach nothing: the owner's input comes out, the guest's never.
  await player.getByTestId("replay-screen").click();
  await guest.page.keyboard.type("GUEST-KEYS\n");
  await server.request("POST", `/sessions/${session.id}/input`, { data: "OWNER-MARK" });
  await eventually(
    async () => (await fetched("output")()).includes("OWNER-MARK") || undefined,
    "the echo of the owner's input",
  );
  expect(await fetched("output")()).not.toContain("GUEST");
  // The player opens no stream: there is nothing a key could be sent through.
  expect(sockets).toEqual([]);

  // Revoked: the next request (opening the page again) says so.
  await server.request("DELETE", `/sessions/${session.id}/shares/${created.id}`);
  await guest.page.reload();
  await guest.page.getByRole("heading", { name: "This link was revoked or has expired" }).waitFor();
  expect(unexpected(guest.errors).filter((e) => !/status of 404/.test(e))).toEqual([]);
  await guest.context.close();
}, 60_000);

test("without a recording (RECORDING_LIMIT=0) the link shows the output up to its opening, and says so", async () => {
  const off = await startTestServer({ env: { RECORDING_LIMIT: "0" } });
  try {
    const session = bodyOf(
      await off.request("POST", "/sessions", {
        provider: "shell",
        cwd: "/tmp",
        args: ["-c", "stty raw -echo && printf 'KEPT-OUTPUT\\r\\n' && exec cat"],
      }),
      201,
      sessionSchema,
    );
    const created = await off.request("POST", `/sessions/${session.id}/shares`, {
      mode: "recording",
    });
    const outputHas = (text: string) => async () => {
      const output = await fetch(`${off.api}/sessions/${session.id}/output`, {
        headers: off.auth,
      });
      return (await output.text()).includes(text) || undefined;
    };
    await eventually(outputHas("KEPT-OUTPUT"), "the program's output");
    const guest = await newPage(browser);
    await guest.page.goto(`${off.url}${bodyOf(created, 201, shareCreatedSchema).path}`);
    await waitForLine(guest.page, session.id, "^KEPT-OUTPUT");
    await guest.page.getByText("This session has no recording").waitFor();
    await guest.page.getByText("End of the recording").waitFor();
    expect(await guest.page.getByTestId("share-player").count()).toBe(0);
    await off.request("POST", `/sessions/${session.id}/input`, { data: "LATER-INPUT" });
    await eventually(outputHas("LATER-INPUT"), "the echo of later input");
    expect(await terminalText(guest.page, session.id)).not.toContain("LATER-INPUT");
    await guest.context.close();
  } finally {
    await off.dispose();
  }
}, 60_000);
