// A real Claude Code receives an uploaded image: the upload's path is typed into its prompt as a
// bracketed paste, Claude Code attaches the image it names, and once the user presses Enter the
// model API stand-in (test/support/model-api.ts) receives the image in the request.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { sessionSchema } from "../src/protocol/session.ts";
import { uploadResultSchema } from "../src/protocol/uploads.ts";
import { type ClaudeFixture, createClaudeFixture, PROMPT_BOX } from "./support/claude-code.ts";
import { field, items } from "./support/json.ts";
import { type ModelApi, startModelApi } from "./support/model-api.ts";
import { INSTALL_TIMEOUT_MS } from "./support/real-clis.ts";
import { bodyOf, readResponse } from "./support/responses.ts";
import { Screen } from "./support/screen.ts";
import { startTestServer, type TestServer } from "./support/server.ts";
import { StreamClient, streamUrl } from "./support/ws-client.ts";

const SIZE = { cols: 100, rows: 30 };
/** A valid 1×1 PNG. */
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

let api: ModelApi;
let claude: ClaudeFixture;
let server: TestServer;

beforeAll(async () => {
  claude = await createClaudeFixture();
  api = startModelApi();
  server = await startTestServer({ baseEnv: { PATH: claude.path, HOME: claude.home } });
}, INSTALL_TIMEOUT_MS + 60_000);

afterAll(async () => {
  await server?.dispose();
  await api?.stop();
  claude?.remove();
});

test("an image uploaded into a Claude Code session reaches the model once Enter is pressed", async () => {
  const created = await server.request("POST", "/sessions", claude.spawnBody(api, SIZE));
  const id = bodyOf(created, 201, sessionSchema).id;
  const client = await StreamClient.connect(streamUrl(server.api, id, 0), server.auth);
  const screen = new Screen(client, SIZE);
  try {
    await screen.waitFor(PROMPT_BOX, 30_000);
    const response = await fetch(`${server.api}/sessions/${id}/uploads?name=screenshot.png`, {
      method: "POST",
      headers: { ...server.auth, "content-type": "image/png" },
      body: PNG,
    });
    const uploaded = bodyOf(await readResponse(response), 201, uploadResultSchema);
    expect(uploaded).toMatchObject({
      path: join(claude.cwd, ".opendray", "uploads", "screenshot.png"),
      typed: true,
    });
    // Claude Code turns a pasted image path into an attachment.
    await screen.waitFor(/\[Image #1\]/, 15_000);
    client.send(new TextEncoder().encode("\r"));
    const request = await api.waitForRequest(
      (candidate) =>
        candidate.main &&
        JSON.stringify(field(candidate.body, "messages") ?? []).includes('"type":"image"'),
      30_000,
    );
    const images = items(request.body, "messages")
      .flatMap((message) => items(message, "content"))
      .filter((block) => field(block, "type") === "image");
    expect(images).toHaveLength(1);
    expect(field(images[0], "source")).toMatchObject({ type: "base64", media_type: "image/png" });
  } finally {
    client.close();
  }
}, 90_000);
