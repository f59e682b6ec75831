// A session's recording on a real server, checked with the real asciinema CLI: the .cast export
// reproduces the output byte for byte (`asciinema cat`), its times rise and its pauses are capped;
// the text export shows a \r progress bar once, in its final form; a recording that reached
// RECORDING_LIMIT says so and still plays; deleting a session deletes its recording; viewers
// export, and every export is audited. With OPENDRAY_TEST_PTY_HOST=auto (npm run test:host) the
// PTY host writes the recordings, and one outlives a restart of the server without a gap.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as z from "zod/mini";
import { auditEntrySchema } from "../src/protocol/audit.ts";
import { stopProcess } from "./support/process.ts";
import { createServerFixture, hostPid, sessionOf, spawnShell } from "./support/process-server.ts";
import { bodyOf, errorOf } from "./support/responses.ts";
import {
  eventually,
  outputOf,
  startTestServer,
  TEST_PTY_HOST,
  type TestServer,
} from "./support/server.ts";
import { StreamClient, streamUrl } from "./support/ws-client.ts";

/**
 * Coloured text, a progress bar redrawn with \r, unicode (a 中 split across two writes), pauses
 * (one of 1.2 s, longer than the idle limit asked for below).
 */
const SCRIPT = [
  "printf '\\033[31mred\\033[0m plain\\n'",
  "for i in 1 2 3 4 5; do printf '\\rprogress %d/5' $i; sleep 0.05; done; printf '\\n'",
  "printf 'é \\344\\270'; sleep 0.1; printf '\\255 😀\\n'",
  "sleep 1.2",
  "printf 'after the pause\\n'",
].join("; ");

let server: TestServer;
let asciinemaHome: string;
const files = mkdtempSync(join(tmpdir(), "opendray-casts-"));

beforeAll(async () => {
  server = await startTestServer();
  asciinemaHome = mkdtempSync(join(tmpdir(), "asciinema-home-"));
});
afterAll(async () => {
  await server?.dispose();
  rmSync(asciinemaHome, { recursive: true, force: true });
  rmSync(files, { recursive: true, force: true });
});

async function ended(target: TestServer, id: string): Promise<void> {
  await eventually(
    async () => {
      const { state } = await target.getSession(id);
      return ["ended", "stopped"].includes(state) ? true : undefined;
    },
    "the session to end",
    20_000,
  );
}

async function exported(
  target: TestServer,
  id: string,
  format: "cast" | "txt",
  query = "",
  auth: Record<string, string> = target.auth,
) {
  const response = await fetch(`${target.api}/sessions/${id}/recording.${format}${query}`, {
    headers: auth,
    keepalive: false,
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

type CastEvent = [number, string, string];

function parseCast(text: string): { header: Record<string, unknown>; events: CastEvent[] } {
  const [first = "", ...rest] = text.split("\n").filter(Boolean);
  return {
    header: JSON.parse(first),
    events: rest.map((line) => JSON.parse(line) as CastEvent),
  };
}

/** What `asciinema cat` prints for a .cast file (it wants a terminal: run under script(1)). */
function asciinemaCat(cast: string): { status: number | null; output: string } {
  const path = join(files, `${crypto.randomUUID()}.cast`);
  writeFileSync(path, cast);
  const result = spawnSync("script", ["-qec", `asciinema cat ${path}`, "/dev/null"], {
    env: { PATH: process.env.PATH, HOME: asciinemaHome, LANG: "C.UTF-8", TERM: "xterm" },
    encoding: "utf8",
    timeout: 20_000,
  });
  return { status: result.status, output: result.stdout };
}

describe("a finished session's recording", () => {
  let id: string;
  let output: string;

  beforeAll(async () => {
    id = (await server.spawnShell(SCRIPT)).id;
    await ended(server, id);
    output = Buffer.from((await outputOf(server, id, 0)).text, "latin1").toString("utf8");
  });

  test("exports as asciicast v2 that asciinema cat prints exactly as the session did", async () => {
    const { status, headers, text } = await exported(server, id, "cast");
    expect(status).toBe(200);
    expect(headers.get("content-type")).toBe("application/x-asciicast");
    expect(headers.get("content-disposition")).toStartWith('attachment; filename="shell');
    expect(headers.get("content-disposition")).toContain('.cast"');
    const { header, events } = parseCast(text);
    expect(header).toMatchObject({ version: 2, width: 80, height: 24, idle_time_limit: 2 });
    expect(header.truncated).toBeUndefined();
    expect(output).toContain("中 😀");
    expect(events.map(([, , data]) => data).join("")).toBe(output);
    const cat = asciinemaCat(text);
    expect(cat.status).toBe(0);
    expect(cat.output).toBe(output);
  });

  test("keeps the timing: times rise, pauses are there, and capped at ?idle_limit=", async () => {
    const full = parseCast((await exported(server, id, "cast", "?idle_limit=5")).text);
    const capped = parseCast((await exported(server, id, "cast", "?idle_limit=0.5")).text);
    expect(capped.header.idle_time_limit).toBe(0.5);
    const gaps = (events: CastEvent[]) =>
      events.slice(1).map(([time], i) => time - (events[i] as CastEvent)[0]);
    for (const { events } of [full, capped]) {
      expect(gaps(events).every((gap) => gap >= 0)).toBe(true);
      expect(events.every(([, type]) => type === "o")).toBe(true);
    }
    // The progress bar's steps came 50 ms apart: separate events.
    expect(full.events.filter(([, , data]) => data.includes("progress")).length).toBeGreaterThan(2);
    // The 1.2 s pause before the last line, as it was, and capped.
    const pauseBefore = (events: CastEvent[]) => {
      const at = events.findIndex(([, , data]) => data.includes("after the pause"));
      return (events[at] as CastEvent)[0] - (events[at - 1] as CastEvent)[0];
    };
    expect(pauseBefore(full.events)).toBeGreaterThan(1.1);
    expect(pauseBefore(full.events)).toBeLessThan(3);
    expect(pauseBefore(capped.events)).toBeCloseTo(0.5, 3);
    expect(Math.max(...gaps(capped.events))).toBeLessThanOrEqual(0.5);
    const last = (events: CastEvent[]) => (events.at(-1) as CastEvent)[0];
    expect(last(full.events) - last(capped.events)).toBeGreaterThan(0.6);
  });

  test("exports as text: colours gone, the progress bar once, as it was left", async () => {
    const { status, headers, text } = await exported(server, id, "txt");
    expect(status).toBe(200);
    expect(headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(headers.get("content-disposition")).toContain('.txt"');
    const lines = text.split("\n");
    expect(lines).toContain("red plain");
    expect(lines).toContain("progress 5/5");
    expect(text).not.toContain("progress 4/5");
    expect(text).not.toContain("\x1b");
    expect(lines).toContain("é 中 😀");
    expect(lines).toContain("after the pause");
  });

  test("viewers export too, and every export is audited: who, which session, how big", async () => {
    const viewer = await server.createUser("castviewer", "viewer");
    const auth = { authorization: `Bearer ${viewer.token}` };
    expect((await exported(server, id, "cast", "", auth)).status).toBe(200);
    expect((await exported(server, id, "txt", "", auth)).status).toBe(200);
    const size = statSync(join(recordingsDir(server), `${id}.rec`)).size;
    const entries = await eventually(async () => {
      const found = bodyOf(
        await server.request("GET", "/audit?limit=200"),
        200,
        z.object({ entries: z.array(auditEntrySchema) }),
      ).entries.filter(
        (entry) => entry.action === "session.export" && entry.actor === "castviewer",
      );
      return found.length === 2 ? found : undefined;
    }, "the export rows");
    expect(entries.map((entry) => entry.detail)).toContainEqual(
      expect.objectContaining({ format: "cast", bytes: size }),
    );
    expect(entries.map((entry) => entry.detail)).toContainEqual(
      expect.objectContaining({ format: "text", bytes: size }),
    );
    expect(entries.every((entry) => entry.target === id)).toBe(true);
  });

  test("a bad idle limit is a 400, an unknown session a 404", async () => {
    for (const query of ["?idle_limit=abc", "?idle_limit=0", "?idle_limit=99999"]) {
      const { status, text } = await exported(server, id, "cast", query);
      expect(status).toBe(400);
      expect(JSON.parse(text).error.code).toBeString();
    }
    const unknown = await exported(server, crypto.randomUUID(), "cast");
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.text).error.code).toBe("not_found");
  });

  test("deleting the session deletes its recording", async () => {
    const path = join(recordingsDir(server), `${id}.rec`);
    expect(existsSync(path)).toBe(true);
    expect((await server.request("DELETE", `/sessions/${id}`)).status).toBe(204);
    expect(existsSync(path)).toBe(false);
    expect((await exported(server, id, "cast")).status).toBe(404);
  });
});

function recordingsDir(target: TestServer): string {
  return join(target.dataDir, "recordings");
}

test("a live session's recording is exported up to its last write", async () => {
  const session = await server.spawnShell("printf 'first line\\n'; exec cat");
  await eventually(async () => {
    const { text } = await exported(server, session.id, "cast");
    return text.includes("first line") ? true : undefined;
  }, "the first line in the recording");
  const cast = parseCast((await exported(server, session.id, "cast")).text);
  expect(cast.events.map(([, , data]) => data).join("")).toContain("first line");
  await server.request("DELETE", `/sessions/${session.id}`);
});

test("a resize is recorded as an r event; the repaint a new viewer causes is not", async () => {
  const session = await server.spawnShell(
    "trap 'w=1' WINCH; echo READY; while :; do sleep 0.05; if [ -n \"$w\" ]; then w=; echo WINCH $(stty size); fi; done",
  );
  const viewer = await StreamClient.connect(streamUrl(server.api, session.id), server.auth);
  await viewer.waitForText("READY");
  // At the size the PTY has: the program is made to draw again (a column narrower, then back).
  viewer.sendJson({ type: "resize", cols: 80, rows: 24 });
  await viewer.waitForText("WINCH 24 80");
  expect(
    (await server.request("POST", `/sessions/${session.id}/resize`, { cols: 100, rows: 30 }))
      .status,
  ).toBe(204);
  await viewer.waitForText("WINCH 30 100");
  viewer.close();
  await server.request("POST", `/sessions/${session.id}/stop`);
  const { events } = parseCast((await exported(server, session.id, "cast")).text);
  expect(events.filter(([, kind]) => kind === "r").map(([, , data]) => data)).toEqual(["100x30"]);
  await server.request("DELETE", `/sessions/${session.id}`);
});

test("a recording that reached RECORDING_LIMIT keeps its beginning, says so, and still plays", async () => {
  const small = await startTestServer({ env: { RECORDING_LIMIT: "4kb" } });
  try {
    const session = await small.spawnShell("seq 1 3000");
    await ended(small, session.id);
    expect(statSync(join(recordingsDir(small), `${session.id}.rec`)).size).toBeLessThanOrEqual(
      4096,
    );
    const { text } = await exported(small, session.id, "cast");
    const { header, events } = parseCast(text);
    expect(header.truncated).toBe(true);
    expect(header.truncated_reason).toBe("it reached RECORDING_LIMIT");
    const played = events.map(([, , data]) => data).join("");
    expect(played).toStartWith("1\r\n2\r\n3\r\n");
    expect(played).not.toContain("\r\n3000\r\n");
    expect(played).toContain("the recording stops here");
    const cat = asciinemaCat(text);
    expect(cat.status).toBe(0);
    expect(cat.output).toBe(played);
    const txt = await exported(small, session.id, "txt");
    expect(txt.text.split("\n").slice(0, 3)).toEqual(["1", "2", "3"]);
    expect(txt.text).toContain("the recording stops here");
  } finally {
    await small.dispose();
  }
});

test("a flood through a small scrollback is recorded whole up to the limit, never cut short", async () => {
  // The ring turns over every 256 KiB: the recording must copy the output before it does.
  const small = await startTestServer({
    env: { SCROLLBACK_BYTES: "256kb", RECORDING_LIMIT: "1mb" },
  });
  try {
    const session = await small.spawnShell("head -c 3000000 /dev/urandom | base64");
    await ended(small, session.id);
    expect(statSync(join(recordingsDir(small), `${session.id}.rec`)).size).toBe(1024 * 1024);
    const { header, events } = parseCast((await exported(small, session.id, "cast")).text);
    expect(header.truncated_reason).toBe("it reached RECORDING_LIMIT");
    const lines = events
      .map(([, , data]) => data)
      .join("")
      .split("\r\n");
    // base64 prints 76 characters a line: every line before the cut is whole.
    expect(lines.length).toBeGreaterThan(10_000);
    expect(lines.slice(0, 10_000).every((line) => /^[A-Za-z0-9+/]{76}$/.test(line))).toBe(true);
  } finally {
    await small.dispose();
  }
});

test("RECORDING_LIMIT=0 records nothing: exports are 404 recording_not_found", async () => {
  const off = await startTestServer({ env: { RECORDING_LIMIT: "0" } });
  try {
    const session = await off.spawnShell("echo hi");
    await ended(off, session.id);
    for (const format of ["cast", "txt"] as const) {
      const { status, text } = await exported(off, session.id, format);
      expect(status).toBe(404);
      expect(errorOf({ status, body: JSON.parse(text), headers: new Headers() }, 404).code).toBe(
        "recording_not_found",
      );
    }
    expect(existsSync(join(recordingsDir(off), `${session.id}.rec`))).toBe(false);
  } finally {
    await off.dispose();
  }
});

test.if(TEST_PTY_HOST === "auto")(
  "with a PTY host, a recording goes on without a gap while the server restarts",
  async () => {
    const fixture = await createServerFixture({ PTY_HOST: "auto" }, async (dataDir) => {
      if (existsSync(join(dataDir, "pty-host.lock"))) await stopProcess(hostPid(dataDir));
    });
    try {
      const first = await fixture.start();
      const gate = join(fixture.dataDir, "gate");
      const session = await spawnShell(
        first,
        `printf 'before\\n'; while [ ! -e ${gate} ]; do sleep 0.05; done; printf 'after\\n'`,
      );
      await eventually(async () => {
        const { outputOffset } = await sessionOf(first, session.id);
        return outputOffset > 0 ? true : undefined;
      }, "the first line");
      first.process.kill("SIGTERM");
      expect(await first.process.exited).toBe(0);
      writeFileSync(gate, "");
      const second = await fixture.start();
      await eventually(
        async () => {
          const { state } = await sessionOf(second, session.id);
          return state === "ended" ? true : undefined;
        },
        "the session to end",
        20_000,
      );
      const response = await fetch(`${second.api}/sessions/${session.id}/recording.cast`, {
        headers: second.auth,
      });
      const played = parseCast(await response.text())
        .events.map(([, , data]) => data)
        .join("");
      expect(played).toBe("before\r\nafter\r\n");
    } finally {
      await fixture.dispose();
    }
  },
  90_000,
);
