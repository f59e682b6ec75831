import { describe, expect, test } from "bun:test";
import type { Activity } from "../protocol/attention.ts";
import { BUILTIN_MANIFESTS } from "../providers/builtin.ts";
import type { HookKind } from "../providers/manifest.ts";
import type { ScreenText } from "../sessions/screen.ts";
import { AttentionTracker, HOOK_GRACE_MS } from "./tracker.ts";

const shell = BUILTIN_MANIFESTS.find((m) => m.id === "shell")?.attention.prompts ?? [];

/**
 * A tracker over a screen the test draws: `draw` sets its lines (the cursor on the last) and
 * moves the output offset on, as output would; every activity is recorded.
 */
function setup(hooks?: HookKind) {
  let offset = 0;
  let screen: ScreenText = { offset, lines: [""], cursorRow: 0, bracketedPaste: false };
  const seen: Activity[] = [];
  const waiters: (() => void)[] = [];
  const lookers: (() => void)[] = [];
  const tracker = new AttentionTracker({
    sessionId: "0b5c2a8e-4f61-4c1a-9d0e-2f7b3c4d5e6f",
    hooks,
    patterns: shell,
    now: Date.now,
    session: {
      screenText: async () => {
        // Woken after the tracker has taken this screen in (its await resolves first).
        for (const wake of lookers.splice(0)) setImmediate(wake);
        return screen;
      },
      get outputEnd() {
        return offset;
      },
      activityChanged: (activity) => {
        seen.push(activity);
        for (const wake of waiters.splice(0)) wake();
      },
    },
  });
  const draw = (...lines: string[]) => {
    offset += 10;
    screen = { offset, lines, cursorRow: lines.length - 1, bracketedPaste: false };
    tracker.output();
  };
  /** The first activity from now on that matches. */
  const next = (match: (activity: Activity) => boolean) =>
    new Promise<Activity>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no such activity")), 3000);
      const check = () => {
        const found = seen.find(match);
        if (found) {
          clearTimeout(timer);
          resolve(found);
        } else waiters.push(check);
      };
      check();
    });
  /** Resolves once the tracker has next read the screen and taken in what it shows. */
  const looked = () => new Promise<void>((resolve) => lookers.push(resolve));
  return { tracker, seen, draw, next, looked };
}

describe("without hooks", () => {
  test("output is working, silence quiet, a prompt on the screen waiting", async () => {
    const { tracker, draw, next, seen } = setup();
    expect(tracker.activity).toMatchObject({ state: "quiet", source: "silence", prompt: null });
    draw("building…");
    expect(tracker.activity).toMatchObject({ state: "working", source: "output" });
    tracker.silence();
    expect(tracker.activity.state).toBe("quiet");
    draw("building…", "Deploy now? [y/N] ");
    const waiting = await next((a) => a.state === "waiting");
    expect(waiting.source).toBe("screen");
    expect(waiting.prompt).toMatchObject({
      text: "Deploy now? [y/N]",
      detail: null,
      options: [{ label: "Yes" }, { label: "No" }],
      offset: 20,
    });
    tracker.dispose();
    expect(seen.map((a) => a.state)).toEqual(["working", "quiet", "working", "waiting"]);
  });

  test("an answer types its option's keys once; the same prompt is not waiting again", async () => {
    const { tracker, draw, next } = setup();
    draw("Deploy now? [y/N] ");
    const waiting = await next((a) => a.state === "waiting");
    const fingerprint = waiting.prompt?.fingerprint ?? "";
    expect(tracker.answer(fingerprint, 7)).toEqual({ refused: "option_invalid" });
    expect(tracker.answer("f".repeat(64), 0)).toEqual({ refused: "prompt_changed" });
    expect(tracker.answer(fingerprint, 1)).toEqual({ keys: "n\r" });
    expect(tracker.activity.state).toBe("working");
    expect(tracker.answer(fingerprint, 1)).toEqual({ refused: "prompt_changed" });
    tracker.dispose();
  });

  test("the same question asked again after output is a new prompt", async () => {
    const { tracker, draw, next } = setup();
    draw("Again? [y/N] ");
    const first = await next((a) => a.state === "waiting");
    tracker.answer(first.prompt?.fingerprint ?? "", 0);
    draw("Again? [y/N] y", "Again? [y/N] ");
    const second = await next(
      (a) => a.state === "waiting" && a.prompt?.fingerprint !== first.prompt?.fingerprint,
    );
    expect(second.prompt?.offset).toBeGreaterThan(first.prompt?.offset ?? 0);
    tracker.dispose();
  });
});

describe("with Claude Code's hooks", () => {
  test("hooks set working and done; output and silence no longer do", () => {
    const { tracker, draw } = setup("claude-code");
    tracker.hook({ kind: "working" });
    expect(tracker.activity).toMatchObject({ state: "working", source: "hook" });
    tracker.silence();
    expect(tracker.activity.state).toBe("working");
    tracker.hook({ kind: "done" });
    draw("the prompt box, redrawn");
    tracker.input();
    expect(tracker.activity).toMatchObject({ state: "done", source: "hook" });
    tracker.dispose();
  });

  test("a permission hook waits at once, with its detail; the screen adds the options", async () => {
    const { tracker, draw, next } = setup("claude-code");
    tracker.hook({ kind: "working" });
    tracker.hook({ kind: "waiting", text: "Claude wants to use Bash", detail: "rm -rf build" });
    expect(tracker.activity).toMatchObject({
      state: "waiting",
      source: "hook",
      prompt: { text: "Claude wants to use Bash", detail: "rm -rf build", options: [] },
    });
    draw("Remove it? [y/N] ");
    const withOptions = await next((a) => (a.prompt?.options.length ?? 0) > 0);
    expect(withOptions.prompt).toMatchObject({ text: "Remove it? [y/N]", detail: "rm -rf build" });
    // Answered at the terminal: the next hook ends the wait.
    tracker.hook({ kind: "working" });
    draw("removed");
    await next((a) => a.state === "working" && a.prompt === null);
    tracker.dispose();
  });

  test("a prompt the screen shows before its hook arrives is told once, with the hook's detail", async () => {
    const { tracker, draw, next, seen, looked } = setup("claude-code");
    tracker.hook({ kind: "working" });
    const read = looked();
    draw("Remove it? [y/N] ");
    // The screen was read and its prompt found, but held for its hook.
    await read;
    expect(tracker.activity.state).toBe("working");
    tracker.hook({ kind: "waiting", text: "Claude wants to use Bash", detail: "rm -rf build" });
    const waiting = await next((a) => a.state === "waiting");
    expect(waiting).toMatchObject({
      source: "hook",
      prompt: { text: "Remove it? [y/N]", detail: "rm -rf build" },
    });
    expect(waiting.prompt?.options.map((o) => o.label)).toEqual(["Yes", "No"]);
    expect(seen.filter((a) => a.state === "waiting")).toHaveLength(1);
    tracker.dispose();
  });

  test("a prompt on the screen whose hook never comes is told after HOOK_GRACE_MS", async () => {
    const { tracker, draw, next } = setup("claude-code");
    tracker.hook({ kind: "working" });
    const drawnAt = Date.now();
    draw("Remove it? [y/N] ");
    const waiting = await next((a) => a.state === "waiting");
    expect(Date.now() - drawnAt).toBeGreaterThanOrEqual(HOOK_GRACE_MS - 20);
    expect(waiting).toMatchObject({ source: "screen", prompt: { detail: null } });
    tracker.dispose();
  });

  test("a hook's wait without options ends when input was typed and the screen shows none", async () => {
    const { tracker, draw, next } = setup("claude-code");
    tracker.hook({ kind: "waiting", text: "Claude needs your permission", detail: null });
    tracker.input();
    draw("answered at the terminal");
    await next((a) => a.state === "working" && a.prompt === null);
    tracker.dispose();
  });
});

test("with Codex's notify, typing after a finished turn starts the next", () => {
  const { tracker } = setup("codex-notify");
  tracker.hook({ kind: "done" });
  expect(tracker.activity.state).toBe("done");
  tracker.input();
  expect(tracker.activity).toMatchObject({ state: "working", source: "hook" });
  tracker.dispose();
});
