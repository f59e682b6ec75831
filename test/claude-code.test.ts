// A real Claude Code (2.1.197, the pinned real CLI) in a real OpenDray session, running real turns
// against a local stand-in for Anthropic's Messages API (test/support/model-api.ts): a typed line
// reaches the model and the model's reply reaches the screen. And a viewer that attaches after the
// ring buffer has turned over gets a snapshot of the terminal instead of a replay, from which
// Claude Code's prompt box and the conversation are back, typing through it works, and its screen
// is the same as that of a viewer that watched from the start.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { sessionSchema } from "../src/protocol/session.ts";
import type { ServerEvent } from "../src/protocol/stream.ts";
import {
  type ClaudeFixture,
  createClaudeFixture,
  PROMPT_BOX,
  typeLine,
} from "./support/claude-code.ts";
import { field } from "./support/json.ts";
import { type ModelApi, startModelApi, userText } from "./support/model-api.ts";
import { INSTALL_TIMEOUT_MS } from "./support/real-clis.ts";
import { bodyOf } from "./support/responses.ts";
import { Screen } from "./support/screen.ts";
import { eventually, startTestServer, type TestServer } from "./support/server.ts";
import { StreamClient, streamUrl } from "./support/ws-client.ts";

const SIZE = { cols: 100, rows: 30 };

let api: ModelApi;
let claude: ClaudeFixture;
/** Servers started, and the sessions created on each, for afterAll. */
const servers: { server: TestServer; sessions: string[] }[] = [];

beforeAll(async () => {
  claude = await createClaudeFixture();
  api = startModelApi();
}, INSTALL_TIMEOUT_MS + 60_000);

afterAll(async () => {
  for (const { server, sessions } of servers) {
    for (const id of sessions) await server.request("DELETE", `/sessions/${id}`);
    await server.dispose();
  }
  await api?.stop();
  claude?.remove();
});

async function startServer(env: Record<string, string> = {}) {
  const server = await startTestServer({
    baseEnv: { PATH: claude.path, HOME: claude.home },
    env,
  });
  const entry = { server, sessions: [] as string[] };
  servers.push(entry);
  return entry;
}

/** A Claude Code session talking to the stand-in; its id. */
async function spawnClaude(entry: { server: TestServer; sessions: string[] }): Promise<string> {
  const created = await entry.server.request("POST", "/sessions", claude.spawnBody(api, SIZE));
  const { id } = bodyOf(created, 201, sessionSchema);
  entry.sessions.push(id);
  return id;
}

async function watch(server: TestServer, id: string, since?: number) {
  const client = await StreamClient.connect(streamUrl(server.api, id, since), server.auth);
  return { client, screen: new Screen(client, SIZE) };
}

/** The session output offset up to which `client` has received the output. */
function receivedUpTo(client: StreamClient): number {
  const hello = client.events.find(
    (event): event is Extract<ServerEvent, { type: "hello" }> => event.type === "hello",
  );
  const snapshot = client.events.find(
    (event): event is Extract<ServerEvent, { type: "snapshot" }> => event.type === "snapshot",
  );
  if (snapshot) return snapshot.offset + client.byteCount - snapshot.bytes;
  return (hello?.bufferStart ?? 0) + client.byteCount;
}

test("Claude Code runs a turn against the stand-in", async () => {
  const entry = await startServer();
  const id = await spawnClaude(entry);
  const { client, screen } = await watch(entry.server, id, 0);
  try {
    await screen.waitFor(PROMPT_BOX, 30_000);

    api.reply("The stand-in answers: forty-two.");
    await typeLine(client, screen, "what is the answer to everything");
    await screen.waitFor(/● The stand-in answers: forty-two\./, 30_000);

    const main = await api.waitForRequest(
      (request) => request.main && userText(request.body).includes("what is the answer"),
    );
    expect(field(main.body, "stream")).toBe(true);
    expect(userText(main.body)).toContain("what is the answer to everything");
    // The scripted reply was used by that request, not by a side request.
    expect(main.reply).toEqual({ type: "text", text: "The stand-in answers: forty-two." });
    expect(api.pending).toBe(0);
    // Once the turn is over, the prompt box is back, empty, under the reply.
    await screen.waitFor(
      new RegExp(`● The stand-in answers[\\s\\S]*${PROMPT_BOX.source}`, "m"),
      10_000,
    );
  } finally {
    screen.dispose();
    client.close();
  }
}, 90_000);

test("after re-attaching, Claude Code's prompt box is back and typing works", async () => {
  // The smallest ring, which Claude Code's first screen and a first turn turn over.
  const entry = await startServer({ SCROLLBACK_BYTES: "4kb" });
  const id = await spawnClaude(entry);
  const a = await watch(entry.server, id, 0);
  const viewers = [a];
  try {
    await a.screen.waitFor(PROMPT_BOX, 30_000);
    // A reply long enough that, with the first screen, more than the ring's 4 KiB flowed.
    const items = Array.from(
      { length: 8 },
      (_, i) => `${i + 1}. Item ${i + 1} of the stand-in's list, long enough to fill the ring.`,
    );
    api.reply(`First reply from the stand-in.\n\n${items.join("\n")}`);
    await typeLine(a.client, a.screen, "first question");
    const firstReplied = new RegExp(
      `● First reply from the stand-in\\.[\\s\\S]*Item 8 [\\s\\S]*${PROMPT_BOX.source}`,
      "m",
    );
    await a.screen.waitFor(firstReplied, 30_000);
    expect(a.client.byteCount).toBeGreaterThan(4 * 1024);

    // A new viewer without `since`: the ring no longer starts at 0, so it gets a snapshot.
    const b = await watch(entry.server, id);
    viewers.push(b);
    const hello = await b.client.waitForEvent("hello");
    expect(hello.bufferStart).toBeGreaterThan(0);
    const snapshot = await b.client.waitForEvent("snapshot");
    expect(snapshot).toMatchObject({ cols: SIZE.cols, rows: SIZE.rows });
    // Once the snapshot is written: the conversation so far, and the prompt box, empty.
    await b.client.waitForBytes(snapshot.bytes);
    const restored = await b.screen.text();
    expect(restored).toMatch(firstReplied);
    expect(restored).toMatch(/^❯\s+first question/m);

    // Typing through the new viewer reaches Claude Code, and the next turn shows on both.
    api.reply("Second reply, seen after re-attaching.");
    await typeLine(b.client, b.screen, "second question");
    const replied = new RegExp(
      `● Second reply, seen after re-attaching\\.[\\s\\S]*${PROMPT_BOX.source}`,
      "m",
    );
    await b.screen.waitFor(replied, 30_000);
    await a.screen.waitFor(replied, 10_000);
    expect(
      api.requests.some(
        (request) => request.main && userText(request.body).includes("second question"),
      ),
    ).toBe(true);

    // Once both have all of the output, they show the same screen.
    const [textA, textB] = await eventually(
      async () => {
        const upTo = receivedUpTo(a.client);
        if (upTo !== receivedUpTo(b.client)) return undefined;
        const texts = [await a.screen.text(), await b.screen.text()];
        // More output arrived meanwhile: look again.
        if (receivedUpTo(a.client) !== upTo || receivedUpTo(b.client) !== upTo) return undefined;
        return texts;
      },
      "both viewers to have the same output",
      10_000,
    );
    expect(textB).toBe(textA);
    expect(textB).toMatch(replied);
  } finally {
    for (const viewer of viewers) {
      viewer.screen.dispose();
      viewer.client.close();
    }
  }
}, 120_000);
