// Tests for executable detection with real files and real processes: PATH lookup, version
// probes that hang or flood, and the detector's cache.

import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDetector, extractVersion, probeVersion, resolveExecutable } from "./detect.ts";

const ENV = { PATH: "/usr/local/bin:/usr/bin:/bin" };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "opendray-detect-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Writes a file (a shell script when executable) and returns its path. */
function writeFile(path: string, body: string, mode = 0o755): string {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, body, { mode });
  return path;
}

function lineCount(path: string): number {
  return existsSync(path) ? readFileSync(path, "utf8").split("\n").filter(Boolean).length : 0;
}

interface ProcessState {
  pid: number;
  comm: string;
  state: string;
}

/** The processes of a process group, from /proc/<pid>/stat: "pid (comm) state ppid pgrp …". */
function groupMembers(pgid: number): ProcessState[] {
  const members: ProcessState[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, "utf8");
    } catch {
      continue;
    }
    const close = stat.lastIndexOf(")");
    const [state = "", , pgrp = ""] = stat.slice(close + 2).split(" ");
    if (Number(pgrp) === pgid) {
      members.push({ pid: Number(name), comm: stat.slice(stat.indexOf("(") + 1, close), state });
    }
  }
  return members;
}

/** Dead means gone, or a zombie: a killed orphan may wait a moment for init to reap it. */
function isDead(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return true;
  }
}

/** Polls `check` every 10 ms until it holds or `ms` have passed; returns whether it held. */
async function eventually(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await Bun.sleep(10);
  }
  return true;
}

describe("resolveExecutable", () => {
  test("finds a bare name on PATH and skips a non-executable file of that name before it", () => {
    writeFile(join(dir, "a", "tool"), "#!/bin/sh\n", 0o644);
    const tool = writeFile(join(dir, "b", "tool"), "#!/bin/sh\n");
    expect(resolveExecutable("tool", { path: `${join(dir, "a")}:${join(dir, "b")}` })).toBe(tool);
  });

  test("skips a directory of that name on PATH", () => {
    mkdirSync(join(dir, "a", "tool"), { recursive: true });
    const tool = writeFile(join(dir, "b", "tool"), "#!/bin/sh\n");
    expect(resolveExecutable("tool", { path: `${join(dir, "a")}:${join(dir, "b")}` })).toBe(tool);
  });

  test("skips empty and relative PATH entries, whatever the cwd", () => {
    writeFile(join(dir, "bin", "tool"), "#!/bin/sh\n");
    expect(resolveExecutable("tool", { path: ":bin:./bin", cwd: dir })).toBeUndefined();
  });

  test("checks an absolute path directly, without PATH", () => {
    const tool = writeFile(join(dir, "tool"), "#!/bin/sh\n");
    expect(resolveExecutable(tool, { path: "" })).toBe(tool);
    expect(resolveExecutable(join(dir, "missing"), { path: dir })).toBeUndefined();
    expect(resolveExecutable(dir, { path: "" })).toBeUndefined();
  });

  test("rejects an absolute path without an execute bit", () => {
    const file = writeFile(join(dir, "tool"), "#!/bin/sh\n", 0o644);
    expect(resolveExecutable(file, { path: "" })).toBeUndefined();
  });

  test("resolves a relative path with a slash against cwd, and only when cwd is given", () => {
    const tool = writeFile(join(dir, "bin", "tool"), "#!/bin/sh\n");
    expect(resolveExecutable("./bin/tool", { path: "", cwd: dir })).toBe(tool);
    expect(resolveExecutable("./bin/tool", { path: join(dir, "bin") })).toBeUndefined();
  });

  test("finds nothing for a name on no PATH entry", () => {
    expect(resolveExecutable("opendray-no-such-tool", { path: dir })).toBeUndefined();
    expect(resolveExecutable("", { path: dir })).toBeUndefined();
  });
});

describe("extractVersion", () => {
  test.each([
    ["2.0.14 (Claude Code)", "2.0.14"],
    ["codex-cli 0.46.0", "0.46.0"],
    ["opencode 0.15.2", "0.15.2"],
    ["0.9.0\n", "0.9.0"],
    ["gemini version v1.2.3-beta.1 built today", "1.2.3-beta.1"],
    ["tool 1.2.3+build.5", "1.2.3+build.5"],
    ["Version 3.4.", "3.4"],
    ["go1.22 linux/amd64", "1.22"],
    ["no version here", null],
    ["", null],
  ])("%p → %p", (output, version) => {
    expect(extractVersion(output)).toBe(version);
  });
});

describe("probeVersion", () => {
  test("reads the version a CLI prints for --version", async () => {
    const cli = writeFile(
      join(dir, "cli"),
      '#!/bin/sh\n[ "$1" = --version ] && echo "2.0.14 (Claude Code)"\n',
    );
    expect(await probeVersion(cli, { env: ENV })).toEqual({
      version: "2.0.14",
      output: "2.0.14 (Claude Code)\n",
      timedOut: false,
      exitCode: 0,
    });
  });

  test("reads stderr and reports a non-zero exit code", async () => {
    const cli = writeFile(join(dir, "cli"), '#!/bin/sh\necho "tool 1.2.3" >&2\nexit 3\n');
    const result = await probeVersion(cli, { env: ENV });
    expect(result).toMatchObject({ version: "1.2.3", exitCode: 3, timedOut: false });
  });

  test("passes args verbatim, never through a shell", async () => {
    const cli = writeFile(join(dir, "cli"), '#!/bin/sh\nprintf "%s|" "$@"\n');
    const args = ["-V", "$HOME; echo hi", "*"];
    expect((await probeVersion(cli, { args, env: ENV })).output).toBe("-V|$HOME; echo hi|*|");
  });

  test("rejects when the file cannot be executed at all", async () => {
    const cli = writeFile(join(dir, "cli"), "#!/opendray/no/such/interpreter\n");
    await expect(probeVersion(cli, { env: ENV })).rejects.toThrow(/ENOENT/);
  });

  test.each([
    ["a CLI that hangs", "sleep 1000\n"],
    ["a CLI whose child hangs", "sleep 1000 &\nwait\n"],
  ])("cuts off %s at the timeout and kills its whole process group", async (_name, body) => {
    const pidFile = join(dir, "pid");
    const cli = writeFile(join(dir, "cli"), `#!/bin/sh\necho $$ > ${pidFile}\n${body}`);
    const started = Date.now();
    const probing = probeVersion(cli, { timeoutMs: 300, env: ENV });

    let sleepers: ProcessState[] = [];
    const sleeping = await eventually(() => {
      const pgid = Number(existsSync(pidFile) && readFileSync(pidFile, "utf8"));
      sleepers = groupMembers(pgid).filter((member) => member.comm === "sleep");
      return sleepers.length > 0;
    }, 2000);
    expect(sleeping).toBe(true);
    const leader = Number(readFileSync(pidFile, "utf8"));

    const alive = () => groupMembers(leader).filter((member) => !isDead(member.pid));
    try {
      const result = await probing;
      expect(Date.now() - started).toBeLessThan(2000);
      expect(result).toMatchObject({ version: null, timedOut: true, exitCode: null });
      await eventually(() => alive().length === 0, 2000);
      expect(alive()).toEqual([]);
      expect(sleepers.map((sleeper) => isDead(sleeper.pid))).toEqual([true]);
    } finally {
      // Should the kill fail, leave no `sleep 1000` behind for the rest of the suite.
      for (const member of alive()) process.kill(member.pid, "SIGKILL");
    }
  });

  test("keeps at most maxOutputBytes of a flood and stops the CLI", async () => {
    const cli = writeFile(join(dir, "cli"), "#!/bin/sh\nyes 'flood 9.8.7'\n");
    const started = Date.now();
    const result = await probeVersion(cli, { timeoutMs: 5000, env: ENV });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result.output.length).toBe(64 * 1024);
    expect(result).toMatchObject({ version: "9.8.7", timedOut: false });
  });

  test("bounds megabytes printed before the version", async () => {
    const cli = writeFile(
      join(dir, "cli"),
      "#!/bin/sh\nhead -c 3000000 /dev/zero | tr '\\0' x\necho ' 1.0.0'\n",
    );
    const result = await probeVersion(cli, { maxOutputBytes: 1000, env: ENV });
    expect(result.output).toBe("x".repeat(1000));
    expect(result.version).toBeNull();
  });
});

describe("createDetector", () => {
  const NOW = Date.parse("2025-01-02T03:04:05.000Z");

  /** A fake CLI that logs each run to a file, then prints a version. */
  function countingCli(delay = "0"): { cli: string; runs: string } {
    const runs = join(dir, "runs");
    const cli = writeFile(
      join(dir, "bin", "tool"),
      `#!/bin/sh\necho run >> ${runs}\nsleep ${delay}\necho "tool 1.2.3"\n`,
    );
    return { cli, runs };
  }

  test("detects a CLI on PATH with its path, version and check time", async () => {
    const { cli } = countingCli();
    const detector = createDetector({ path: join(dir, "bin"), env: ENV, now: () => NOW });
    expect(await detector.detect("tool", "tool")).toEqual({
      available: true,
      path: cli,
      version: "1.2.3",
      checkedAt: "2025-01-02T03:04:05.000Z",
      error: null,
    });
  });

  test("reports a missing executable as unavailable", async () => {
    const detector = createDetector({ path: dir, env: ENV, now: () => NOW });
    expect(await detector.detect("ghost", "opendray-no-such-tool")).toEqual({
      available: false,
      path: null,
      version: null,
      checkedAt: "2025-01-02T03:04:05.000Z",
      error: '"opendray-no-such-tool" not found on PATH',
    });
    const file = writeFile(join(dir, "plain"), "#!/bin/sh\n", 0o644);
    expect(await detector.detect("plain", file)).toMatchObject({
      available: false,
      error: `${JSON.stringify(file)} is not an executable file`,
    });
  });

  test("keeps a CLI whose probe times out available, without a version", async () => {
    const cli = writeFile(join(dir, "bin", "stuck"), "#!/bin/sh\nsleep 1000\n");
    const detector = createDetector({ path: join(dir, "bin"), env: ENV, timeoutMs: 300 });
    expect(await detector.detect("stuck", "stuck")).toMatchObject({
      available: true,
      path: cli,
      version: null,
      error: "version probe timed out after 300 ms",
    });
  });

  test("keeps a CLI that cannot be spawned available, with the spawn error", async () => {
    writeFile(join(dir, "bin", "broken"), "#!/opendray/no/such/interpreter\n");
    const detector = createDetector({ path: join(dir, "bin"), env: ENV });
    const detection = await detector.detect("broken", "broken");
    expect(detection).toMatchObject({ available: true, version: null });
    expect(detection.error).toMatch(/^version probe failed: ENOENT/);
  });

  test("explains a probe that exits without a version", async () => {
    writeFile(join(dir, "bin", "old"), "#!/bin/sh\necho 'unknown option' >&2\nexit 2\n");
    const detector = createDetector({ path: join(dir, "bin"), env: ENV });
    expect((await detector.detect("old", "old")).error).toBe(
      "version probe exited with code 2 without a version: unknown option",
    );
  });

  test("reuses a detection until ttlMs passes, and probes again after refresh()", async () => {
    const { runs } = countingCli();
    let clock = NOW;
    const detector = createDetector({
      path: join(dir, "bin"),
      env: ENV,
      now: () => clock,
      ttlMs: 1000,
    });

    const first = await detector.detect("tool", "tool");
    clock += 999;
    expect(await detector.detect("tool", "tool")).toBe(first);
    expect(lineCount(runs)).toBe(1);

    clock += 1;
    const second = await detector.detect("tool", "tool");
    expect(lineCount(runs)).toBe(2);
    expect(second.checkedAt).toBe(new Date(NOW + 1000).toISOString());

    detector.refresh("tool");
    expect(await detector.detect("tool", "tool")).toEqual(second);
    expect(lineCount(runs)).toBe(3);
  });

  test("caches per executable within a provider id", async () => {
    const { runs } = countingCli();
    const detector = createDetector({ path: join(dir, "bin"), env: ENV });
    await detector.detect("tool", "tool");
    await detector.detect("tool", join(dir, "bin", "tool"));
    await detector.detect("tool", "tool");
    expect(lineCount(runs)).toBe(2);
  });

  test("shares one probe among concurrent detects of the same key", async () => {
    const { runs } = countingCli("0.2");
    const detector = createDetector({ path: join(dir, "bin"), env: ENV });
    const detections = await Promise.all(
      Array.from({ length: 5 }, () => detector.detect("tool", "tool")),
    );
    expect(lineCount(runs)).toBe(1);
    expect(new Set(detections).size).toBe(1);
  });
});
