// How fast a prompt reaches a phone, and that a busy program never looks like one. The server
// runs in this process in the default mode (PTY_HOST=auto: sessions in the PTY host), a device
// is subscribed to a Web Push stand-in (test/support/push-service.ts, real RFC 8291 messages
// over loopback HTTPS). Timed from the moment the prompt's text arrives at a terminal viewer (a
// WebSocket on the session, as a browser would see it) to the moment its push message reaches
// the push service; each prompt is then answered with the notification's token.
//
//   screen alone: a shell asking `read -p "… [y/N]"` 50 times (the shell manifest's pattern)
//   hooks: real Claude Code (test/support/claude-code.ts, its model API stand-in) asking for
//          permission to run a Bash command 50 times; PermissionRequest hook plus screen
//   busy: a program printing build-log bursts with pauses for ATTENTION_BUSY_S (600) seconds:
//          how many times it was taken for `waiting` (should be never)
//
// `bun bench/attention.ts [prompts]`; prints a table (p50 and p99 in ms).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inheritableEnvironment, loadConfig } from "../src/config.ts";
import { createLogger } from "../src/log.ts";
import type { LifecycleEvent } from "../src/protocol/events.ts";
import { startServer } from "../src/server.ts";
import { createClaudeFixture } from "../test/support/claude-code.ts";
import { startModelApi } from "../test/support/model-api.ts";
import { startPushService } from "../test/support/push-service.ts";
import { fixed, median, percentile } from "./stats.ts";
import { renderTable } from "./table.ts";

const PROMPTS = Number(process.argv[2] ?? 50);
const BUSY_S = Number(Bun.env.ATTENTION_BUSY_S ?? 600);
const ADMIN = { username: "bench", password: "bench password that is long" };
const log = (line: string) => process.stderr.write(`${line}\n`);

const dir = mkdtempSync(join(tmpdir(), "opendray-bench-attention-"));
const claude = await createClaudeFixture();
const push = startPushService();
const api = startModelApi();
const server = await startServer(
  {
    ...loadConfig({
      LISTEN_ADDR: "127.0.0.1:0",
      DATA_DIR: join(dir, "data"),
      ADMIN_USERNAME: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
      PUSH_ALLOW_HOSTS: "localhost",
      RATE_LIMIT_READS: "100000/min",
      RATE_LIMIT_SESSION_OPS: "100000/min",
      PTY_HOST: "auto",
    }),
  },
  {
    version: "bench",
    baseEnv: {
      ...inheritableEnvironment(process.env),
      HOME: claude.home,
      PATH: claude.path,
      SHELL: "/bin/bash",
    },
    logger: createLogger("silent"),
    pushCa: push.ca,
  },
);
const apiUrl = `${server.url}/api/v1`;
const token = (
  (await (
    await fetch(`${apiUrl}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(ADMIN),
    })
  ).json()) as { token: string }
).token;
const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
const call = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: the bench reads response fields freely
  return { status: response.status, body: (await response.json().catch(() => null)) as any };
};
await call("POST", "/push/subscriptions", push.device("phone"));

const events: LifecycleEvent[] = [];
const eventsSocket = new WebSocket(`${apiUrl.replace(/^http/, "ws")}/events`, {
  headers,
} as unknown as string[]);
eventsSocket.addEventListener("message", (event) => {
  events.push(JSON.parse(String(event.data)) as LifecycleEvent);
});
await new Promise((resolve) => eventsSocket.addEventListener("open", resolve, { once: true }));

/** Text without terminal escape sequences and white space. */
function squeeze(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are what it drops
  return text.replace(/\x1b\[[0-9;?<=>]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\s+/g, "");
}

/** A viewer of the session: when each marker first appeared in its output. */
function watch(id: string) {
  const socket = new WebSocket(`${apiUrl.replace(/^http/, "ws")}/sessions/${id}/stream`, {
    headers,
  } as unknown as string[]);
  socket.binaryType = "arraybuffer";
  const decoder = new TextDecoder();
  let tail = "";
  const seen = new Map<string, number>();
  let wanted: string[] = [];
  socket.addEventListener("message", (event) => {
    if (typeof event.data === "string") return;
    const at = performance.now();
    tail = (tail + decoder.decode(new Uint8Array(event.data), { stream: true })).slice(-20_000);
    // Programs such as Claude Code move the cursor between words: compare without escape
    // sequences and spaces.
    const plain = squeeze(tail);
    for (const marker of wanted) {
      if (!seen.has(marker) && plain.includes(squeeze(marker))) seen.set(marker, at);
    }
    wanted = wanted.filter((marker) => !seen.has(marker));
  });
  return {
    socket,
    /** Look for `marker` in the output from now on. */
    expect(marker: string) {
      tail = "";
      seen.delete(marker);
      wanted.push(marker);
    },
    seenAt: (marker: string) => seen.get(marker),
    text: () => tail,
    close: () => socket.close(),
  };
}

async function until<T>(check: () => T | undefined, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(5);
  }
}

/**
 * For each of PROMPTS prompts: `ask(i)` makes prompt i come (and says what marks it on screen and
 * in its push message), its latency is taken, `before(i + 1)` runs, then the notification's
 * "Yes" answers it and `after(i)` waits for what follows.
 */
async function promptLatencies(
  label: string,
  id: string,
  viewer: ReturnType<typeof watch>,
  steps: {
    ask: (i: number) => Promise<{ marker: string; match: string }>;
    before: (i: number) => void;
    after: (i: number) => Promise<void>;
  },
): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 1; i <= PROMPTS; i++) {
    const { marker, match } = await steps.ask(i);
    const message = await push.waitForMessage(
      (m) =>
        m.payload.sessionId === id && m.payload.body.includes(match) && m.payload.token !== null,
      60_000,
    );
    const shown = await until(() => viewer.seenAt(marker), `${marker} on screen`);
    latencies.push(message.at - shown);
    steps.before(i + 1);
    const answered = await fetch(`${apiUrl}/answers`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: message.payload.token, option: 0 }),
    });
    if (answered.status !== 200) throw new Error(`${label} ${i}: answer ${answered.status}`);
    await steps.after(i);
    if (i % 10 === 0) log(`${label}: ${i}/${PROMPTS}`);
  }
  return latencies;
}

/** The latest activity of session `id`. */
const activityOf = (id: string) =>
  events.findLast((e) => e.session.id === id && e.type === "session.activity")?.session.activity;

const rows: string[][] = [];
const addRow = (figure: string, values: number[], target: string) => {
  const p99 = percentile(values, 99);
  rows.push([figure, fixed(median(values), 0), fixed(p99, 0), String(values.length), target]);
};

try {
  // Screen alone: a shell's [y/N] prompts.
  {
    const created = await call("POST", "/sessions", {
      provider: "shell",
      cwd: dir,
      args: [
        "-c",
        `echo ready; read -r _; for i in $(seq ${PROMPTS}); do read -r -p "Go $i? [y/N] " a; done; sleep 30`,
      ],
    });
    const id = created.body.id as string;
    const viewer = watch(id);
    await new Promise((resolve) => viewer.socket.addEventListener("open", resolve, { once: true }));
    await until(() => (viewer.text().includes("ready") ? true : undefined), "the shell");
    viewer.expect("Go 1? [y/N]");
    await call("POST", `/sessions/${id}/input`, { data: "\r" });
    const latencies = await promptLatencies("screen", id, viewer, {
      ask: async (i) => ({ marker: `Go ${i}? [y/N]`, match: `Go ${i}? [y/N]` }),
      before: (next) => viewer.expect(`Go ${next}? [y/N]`),
      after: async () => {},
    });
    viewer.close();
    await call("DELETE", `/sessions/${id}`);
    addRow("prompt on screen → push sent, screen alone (shell)", latencies, "p99 ≤ 1500 ms");
  }

  // Hooks: Claude Code's permission prompts.
  {
    const created = await call("POST", "/sessions", claude.spawnBody(api, { cols: 100, rows: 30 }));
    const id = created.body.id as string;
    const viewer = watch(id);
    // Its prompt box's hint, raw in the output: Claude Code is ready for a line.
    await until(
      () => (squeeze(viewer.text()).includes("forshortcuts") ? true : undefined),
      "Claude Code",
    ).catch((error) => {
      throw new Error(`${error.message}; it shows: ${JSON.stringify(viewer.text().slice(-600))}`);
    });
    const latencies = await promptLatencies("hooks", id, viewer, {
      ask: async (i) => {
        const file = join(claude.cwd, `bench-${i}`);
        api.replyToolUse({ name: "Bash", input: { command: `touch ${file}`, description: "x" } });
        api.reply(`made ${i}`);
        // The line first, Enter once it shows (together they would be a paste).
        await call("POST", `/sessions/${id}/input`, { data: `make file ${i}` });
        await until(
          () => (squeeze(viewer.text()).includes(`makefile${i}`) ? true : undefined),
          "typed",
        );
        // The dialog's question in the output: the moment the prompt is on screen.
        viewer.expect("Do you want to proceed?");
        await call("POST", `/sessions/${id}/input`, { data: "\r" });
        return { marker: "Do you want to proceed?", match: `touch ${file}` };
      },
      before: () => {},
      after: async (i) => {
        await until(
          () =>
            activityOf(id)?.state === "done" && squeeze(viewer.text()).includes(`made${i}`)
              ? true
              : undefined,
          `turn ${i} done`,
        );
      },
    });
    viewer.close();
    await call("DELETE", `/sessions/${id}`);
    addRow("prompt on screen → push sent, with hooks (Claude Code)", latencies, "p99 ≤ 500 ms");
  }

  // A busy program: never waiting.
  {
    const created = await call("POST", "/sessions", {
      provider: "shell",
      cwd: dir,
      args: [
        "-c",
        `end=$((SECONDS+${BUSY_S})); n=0; while [ $SECONDS -lt $end ]; do n=$((n+1)); ` +
          `for f in $(seq 40); do printf 'step %d: compiling src/module-%d.ts [ok] (y/n checks: 0)\\n' $n $f; done; ` +
          `sleep 0.$((RANDOM % 9 + 1)); done`,
      ],
    });
    const id = created.body.id as string;
    log(`busy: ${BUSY_S} s`);
    await until(
      () =>
        events.some((e) => e.type === "session.exited" && e.session.id === id) ? true : undefined,
      "the busy program to end",
      (BUSY_S + 60) * 1000,
    );
    const waits = events.filter(
      (e) => e.session.id === id && e.session.activity?.state === "waiting",
    ).length;
    rows.push([
      `false waiting during ${BUSY_S} s of a busy program (bursts with pauses)`,
      String(waits),
      "",
      "1",
      "0",
    ]);
  }

  process.stdout.write(`${renderTable(["Figure", "p50 (ms)", "p99 (ms)", "n", "Target"], rows)}\n`);
} finally {
  eventsSocket.close();
  await server.close();
  await push.stop();
  await api.stop();
  claude.remove();
  rmSync(dir, { recursive: true, force: true });
}
