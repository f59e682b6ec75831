// Coming back to a session: a viewer that attaches after a full-screen program set its modes and
// then drew far more than the ring holds sees what a viewer that watched from the start sees —
// screens, buffer, modes, cursor — in both PTY modes and after a server restart (the PTY host
// keeps the terminal's state). Real server, real PTYs, real WebSockets; the viewers' terminals
// are @xterm/headless, the browser's parser.

import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stopProcess } from "./support/process.ts";
import { createServerFixture, hostPid, spawnShell } from "./support/process-server.ts";
import { Screen } from "./support/screen.ts";
import { startTestServer } from "./support/server.ts";
import { tuiOutput } from "./support/terminal-state.ts";
import { StreamClient, streamUrl } from "./support/ws-client.ts";

const SIZE = { cols: 80, rows: 24 };
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A file of TUI output: every mode set once, a header, then ~500 KB of frames, then DONE. */
function tuiFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "opendray-tui-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const tui = tuiOutput();
  let out = tui.setup;
  for (let n = 0; n < 500; n++) out += tui.frame(n);
  const path = join(dir, "tui.out");
  writeFileSync(path, `${out}DONE`);
  return path;
}

/** The program: waits for a go, prints the file, then waits with the screen as it is. */
const script = (file: string) => `stty -echo; read -r go; cat '${file}'; exec sleep 600`;

interface Target {
  api: string;
  auth: Record<string, string>;
}

/** A viewer from the start (since=0) that lets the program run and sees it all. */
async function watchFromStart(target: Target, id: string) {
  const client = await StreamClient.connect(streamUrl(target.api, id, 0), target.auth);
  const screen = new Screen(client, SIZE);
  client.send(new TextEncoder().encode("go\n"));
  await screen.waitFor(/DONE/, 20_000);
  return { client, screen, state: await screen.state() };
}

async function attachLate(target: Target, id: string) {
  const client = await StreamClient.connect(streamUrl(target.api, id), target.auth);
  const screen = new Screen(client, SIZE);
  const snapshot = await client.waitForEvent("snapshot");
  await screen.waitFor(/DONE/, 10_000);
  return { client, screen, snapshot, state: await screen.state() };
}

/** Server processes with PTY_HOST=auto on one DATA_DIR; the host is stopped at the end. */
async function hostedFixture() {
  const fixture = await createServerFixture(
    { PTY_HOST: "auto", SCROLLBACK_BYTES: "64kb", RATE_LIMIT_SESSION_OPS: "100000/min" },
    async (dataDir) => stopProcess(hostPid(dataDir)),
  );
  cleanups.push(() => fixture.dispose());
  return fixture;
}

function expectFullState(state: Awaited<ReturnType<Screen["state"]>>) {
  expect(state.buffer).toBe("alternate");
  expect(state.screen[0]).toContain("HEADER drawn once");
  expect(state.modes).toMatchObject({
    applicationCursorKeysMode: true,
    applicationKeypadMode: true,
    bracketedPasteMode: true,
    mouseTrackingMode: "drag",
    sendFocusMode: true,
  });
  expect(state.mouseEncoding).toBe("SGR");
  expect(state.cursor).toMatchObject({ hidden: true, style: "bar" });
  expect(state.scrollRegion).toEqual([2, 19]);
}

test("in process: a viewer that attaches after the ring turned over sees what the first one sees", async () => {
  const server = await startTestServer({
    env: { PTY_HOST: "inprocess", SCROLLBACK_BYTES: "64kb" },
  });
  cleanups.push(() => server.dispose());
  const session = await server.spawnShell(script(tuiFile()));
  const early = await watchFromStart(server, session.id);
  expectFullState(early.state);

  const late = await attachLate(server, session.id);
  const body = await server.getSession(session.id);
  expect(late.snapshot.offset).toBe(body.outputOffset);
  expect(late.state).toEqual(early.state);
  // The snapshot, not the 64 KiB ring tail, is what the late viewer was sent.
  expect(late.client.byteCount).toBe(late.snapshot.bytes);
  for (const viewer of [early, late]) viewer.client.close();
});

test.each(["inprocess", "auto"] as const)(
  "PTY_HOST=%s: the repaint a viewer causes leaves the state whole when the program draws nothing",
  async (mode) => {
    const server = await startTestServer({ env: { PTY_HOST: mode, SCROLLBACK_BYTES: "64kb" } });
    cleanups.push(() => server.dispose());
    // Full screen (no reflow): the first row drawn once up to its last column, then more output
    // than the ring holds below it (a scroll region keeps the first row), then SIGWINCH reported.
    const session = await server.spawnShell(
      [
        `printf '\\033[?1049h\\033[H%s\\033[3;24r\\033[3;1H' "$(printf 'A%.0s' $(seq 1 79))Z"`,
        'for i in $(seq 1 2000); do echo "filler line $i of the output that turns the ring over"; done',
        "trap 'w=1' WINCH; echo READY",
        'while :; do sleep 0.1; if [ -n "$w" ]; then w=; echo WINCH $(stty size); fi; done',
      ].join("\n"),
      SIZE,
    );
    const first = await StreamClient.connect(streamUrl(server.api, session.id), server.auth);
    await first.waitForText("READY");
    const mark = first.byteCount;
    // The same size: the program is made to draw again (narrowed by a column and widened back).
    first.sendJson({ type: "resize", ...SIZE });
    await first.waitForOutput(
      (output) => output.subarray(mark).includes("WINCH 24 80\r\n"),
      "the repaint's end",
    );

    const late = await StreamClient.connect(streamUrl(server.api, session.id), server.auth);
    const screen = new Screen(late, SIZE);
    await late.waitForEvent("snapshot");
    const text = await screen.waitFor(/WINCH 24 80/, 10_000);
    expect(text.split("\n")[0]).toBe(`${"A".repeat(79)}Z`);
    screen.dispose();
    first.close();
    late.close();
  },
);

test("through the PTY host: the state survives a server restart", async () => {
  const fixture = await hostedFixture();
  const first = await fixture.start();
  const session = await spawnShell(first, script(tuiFile()));
  const early = await watchFromStart(first, session.id);
  expectFullState(early.state);
  const before = await attachLate(first, session.id);
  expect(before.state).toEqual(early.state);
  for (const viewer of [early, before]) viewer.client.close();

  first.process.kill("SIGTERM");
  expect(await first.process.exited).toBe(0);
  const second = await fixture.start();
  const after = await attachLate(second, session.id);
  expect(after.state).toEqual(early.state);
  after.client.close();
});

test("a finished session shows the screen it ended with, after the PTY host restarted", async () => {
  const fixture = await hostedFixture();
  const first = await fixture.start();
  // It ends without leaving its alternate screen or resetting its modes, as a crash would.
  const session = await spawnShell(
    first,
    `${script(tuiFile()).replace("exec sleep 600", "read -r done")}`,
  );
  const early = await watchFromStart(first, session.id);
  early.client.send(new TextEncoder().encode("done\n"));
  await early.client.waitForClose();
  first.process.kill("SIGTERM");
  expect(await first.process.exited).toBe(0);
  await stopProcess(hostPid(fixture.dataDir));

  const second = await fixture.start();
  const late = await attachLate(second, session.id);
  expect(late.state).toEqual(early.state);
  expect((await late.client.waitForClose()).code).toBe(1000);
  expect(late.client.events.map((event) => event.type)).toEqual(["hello", "snapshot", "exit"]);
});

test("in process: an interrupted session shows its last screen; an unreadable one falls back to the scrollback", async () => {
  const fixture = await createServerFixture({
    PTY_HOST: "inprocess",
    SCROLLBACK_BYTES: "64kb",
    RATE_LIMIT_SESSION_OPS: "100000/min",
  });
  cleanups.push(() => fixture.dispose());
  const first = await fixture.start();
  const kept = await spawnShell(first, script(tuiFile()));
  const broken = await spawnShell(first, script(tuiFile()));
  const early = await watchFromStart(first, kept.id);
  (await watchFromStart(first, broken.id)).client.close();
  first.process.kill("SIGTERM");
  expect(await first.process.exited).toBe(0);
  writeFileSync(join(fixture.dataDir, "scrollback", `${broken.id}.screen`), '{"offset": 12, "da');

  const second = await fixture.start();
  const late = await attachLate(second, kept.id);
  expect(late.state).toEqual(early.state);

  const fallback = await StreamClient.connect(streamUrl(second.api, broken.id), second.auth);
  expect((await fallback.waitForClose()).code).toBe(1000);
  expect(fallback.events.map((event) => event.type)).toEqual(["hello", "truncated", "exit"]);
  const hello = fallback.events[0] as { offset: number; bufferStart: number };
  expect(fallback.byteCount).toBe(hello.offset - hello.bufferStart);
  expect(second.log.join("\n")).toContain(`the final screen of session ${broken.id} is unreadable`);
});
