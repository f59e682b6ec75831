// Replayed terminal queries are never answered (DESIGN §5): opening or reloading a session
// replays the program's old queries (device attributes, colours), and neither the browser's
// answers to them nor a raw client's early answers reach the program; answers to queries the
// program makes while a viewer is live do, once. Real Chromium, real server, real PTYs.

import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, newPage, signIn, waitForLine } from "./support/browser.ts";
import { RawWebSocket } from "./support/raw-ws.ts";
import { eventually, startTestServer, type TestServer } from "./support/server.ts";
import { streamUrl } from "./support/ws-client.ts";

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([
    startTestServer({
      loginLimit: { count: 1000, perMs: 60_000 },
      // Room for a replay longer than a client that does not read can take in.
      env: { SCROLLBACK_BYTES: "16mb" },
    }),
    launchBrowser(),
  ]);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.dispose();
});

/**
 * A program that queries the terminal (device attributes and background colour) for every line
 * `Q` and prints every other line through `cat -v`. The terminal does not echo, so the answers
 * it got show up only there: glued to the start of the next line read, as `^[[?1;2c…`.
 */
const QUERY_ON_Q = String.raw`stty -echo; printf 'READY\n'; while IFS= read -r line; do
  if [ "$line" = Q ]; then printf '\e[c\e]11;?\e\\'; else printf '%s\n' "$line" | cat -v; fi
done`;

/** The session's output from `since` as GET /output returns it. */
async function output(id: string, since = 0): Promise<string> {
  const response = await fetch(`${server.api}/sessions/${id}/output?since=${since}`, {
    headers: server.auth,
  });
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer()).toString("latin1");
}

/** Wait until the program has printed the line `text`; the whole output then. */
const printed = (id: string, text: string, since = 0) =>
  eventually(
    async () => {
      const all = await output(id, since);
      return new RegExp(`${text}\r?$`, "m").test(all) ? all : undefined;
    },
    `line ${text}`,
    15_000,
  );

/** How many device-attribute answers reached the program. */
const answers = (all: string) => all.split("^[[?").length - 1;

/** Type a line into the page's terminal. */
async function typeLine(page: Page, text: string) {
  await page.locator(".terminal-host").first().click();
  await page.keyboard.type(text);
  await page.keyboard.press("Enter");
}

test("ten reloads and a second viewer answer no replayed query; a live query is answered once", async () => {
  const session = await server.spawnShell(QUERY_ON_Q);
  const { page, context, errors } = await newPage(browser);
  await signIn(page, server, `/s/${session.id}`);
  await waitForLine(page, session.id, "^READY$");

  // A query made while the page is live: answered once.
  await typeLine(page, "Q");
  await typeLine(page, "M1");
  expect(answers(await printed(session.id, "M1"))).toBe(1);

  for (let i = 0; i < 10; i++) {
    await page.reload();
    // The replay has been parsed through the query and the line after its answer.
    await waitForLine(page, session.id, "M1$");
  }
  const second = await newPage(browser);
  await signIn(second.page, server, `/s/${session.id}`);
  await waitForLine(second.page, session.id, "M1$");

  // Input is ordered: anything the pages answered before this line reached the program first.
  await typeLine(page, "M2");
  expect(answers(await printed(session.id, "M2"))).toBe(1);

  // A query made now, with both pages open, is answered by one of them, once.
  await typeLine(page, "Q");
  await typeLine(page, "M3");
  const all = await printed(session.id, "M3");
  expect(all).toMatch(/\^\[\[\?1;2c\^\[\]11;rgb:[0-9a-f/]+\^\[\\M3\r?$/m);
  expect(answers(all)).toBe(2);
  // Expected noise: the first /auth/me before signing in (401), sockets closed by the reloads, and
  // the CSP refusing xterm's <style> elements (CspStyleBridge applies their rules instead).
  const unexpected = [...errors, ...second.errors].filter(
    (e) => !/401|WebSocket|Applying inline style violates .*'style-src 'self''/.test(e),
  );
  expect(unexpected).toEqual([]);

  await second.context.close();
  await context.close();
  await server.request("DELETE", `/sessions/${session.id}`);
}, 120_000);

/** A masked binary frame from a client (RFC 6455 §5.3). */
function clientFrame(payload: Uint8Array): Buffer {
  const mask = [0x12, 0x34, 0x56, 0x78];
  const head = Buffer.from([0x82, 0x80 | payload.length, ...mask]);
  const body = Buffer.from(payload.map((byte, i) => byte ^ (mask[i % 4] as number)));
  return Buffer.concat([head, body]);
}

const DA1_ANSWER = new TextEncoder().encode("\x1b[?1;2c");

test("the server drops a client's answers until its replay has been sent", async () => {
  // More history than the socket and Bun's send buffer hold, for a client that does not read.
  const session = await server.spawnShell(
    String.raw`head -c 12000000 /dev/zero | tr '\0' x; printf '\nREADY\n'; stty -echo; while IFS= read -r line; do printf '%s\n' "$line" | cat -v; done`,
  );
  const history = 12_000_000;
  await eventually(
    async () => ((await server.getSession(session.id)).outputOffset > history ? true : undefined),
    "the history",
    30_000,
  );
  await printed(session.id, "READY", history);

  // since=0 asks for the replay (without it, the server would send a snapshot of the screen).
  const raw = await RawWebSocket.open(streamUrl(server.api, session.id, 0), server.auth);
  raw.pause();
  // Typed text goes through at once (and makes this client the primary viewer); the answer,
  // sent while the replay waits for the client to read, never reaches the program.
  raw.socket.write(clientFrame(new TextEncoder().encode("early")));
  raw.socket.write(clientFrame(DA1_ANSWER));
  raw.socket.write(clientFrame(new TextEncoder().encode("\n")));
  raw.resume();

  const hello = await raw.until(() => {
    const first = raw.frames[0];
    return first
      ? (JSON.parse(first.payload.toString()) as { offset: number; bufferStart: number })
      : undefined;
  }, "hello");
  // Caught up: every replayed byte (up to hello's offset) has arrived.
  await raw.until(
    () =>
      raw.frames.reduce((sum, f) => sum + (f.opcode === 0x2 ? f.payload.length : 0), 0) >=
      hello.offset - hello.bufferStart
        ? true
        : undefined,
    "the replay",
  );
  raw.socket.write(clientFrame(DA1_ANSWER));
  raw.socket.write(clientFrame(new TextEncoder().encode("late\n")));

  const all = await printed(session.id, "\\^\\[\\[\\?1;2clate", history);
  expect(all).toMatch(/^early\r?$/m);
  expect(answers(all)).toBe(1);
  raw.destroy();
  await server.request("DELETE", `/sessions/${session.id}`);
}, 60_000);
