// A live session's activity (see src/protocol/attention.ts), derived from three signals, strongest
// first: the CLI's own hooks (hook-events.ts), the prompts its manifest declares, looked for on
// the session's screen once output has settled (screen-prompt.ts), and output or silence.
//
//   waiting  ← a prompt on the screen, or a hook that says the CLI asks (until a later hook, or
//              until input was typed and the screen shows no prompt any more)
//   working / done ← the last hook, once the CLI has sent one
//   working / quiet ← output, and IDLE_AFTER of silence, for a CLI that sends no hooks
//
// An answer (answer()) types the option's keys only while the prompt it names is the one
// waiting; the same prompt is not taken as waiting again until output has moved past it.

import { createHash } from "node:crypto";
import type { Activity, ActivitySource, ActivityState, Prompt } from "../protocol/attention.ts";
import type { HookKind, PromptPattern } from "../providers/manifest.ts";
import type { ScreenText } from "../sessions/screen.ts";
import { type HookSignal, REPORTS_PROMPTS, REPORTS_TURN_START } from "./hook-events.ts";
import { type FoundPrompt, findPrompt } from "./screen-prompt.ts";

/** The screen is read once output has paused this long (a program that asks then waits). */
export const SETTLE_MS = 150;
/**
 * How long a prompt seen on the screen waits for the hook that tells what it is about, with a CLI
 * whose hooks report prompts: the hook runs a process of its own, which a busy machine may start
 * after the screen was drawn. Without the wait the phone would be told twice (the bare question,
 * then the question with its detail); past it, the screen's prompt is told alone.
 */
export const HOOK_GRACE_MS = 1000;

export interface TrackerOptions {
  sessionId: string;
  /** The hooks the CLI was given; undefined when it reports through none. */
  hooks: HookKind | undefined;
  patterns: readonly PromptPattern[];
  now: () => number;
  session: TrackedSession;
}

/**
 * The session a tracker watches, called as methods so that a live session can be it: a tracker
 * lives as long as its session, which keeps no closure of its own (docs/memory.md).
 */
export interface TrackedSession {
  /**
   * The screen's text after all output so far; undefined while it is not ready (its parser is
   * behind) or once the session keeps none (the tracker is disposed by then).
   */
  screenText(): Promise<ScreenText | undefined>;
  /** The session's output offset now. */
  readonly outputEnd: number;
  activityChanged(activity: Activity): void;
}

/** Why an answer was not typed. */
export type AnswerRefusal = "prompt_changed" | "option_invalid";

interface ScreenPrompt extends FoundPrompt {
  offset: number;
}

export class AttentionTracker {
  private current: Activity;
  /** What the CLI's hooks last said of its turn; undefined until it sends one. */
  private hookState: "working" | "done" | undefined;
  /** From output and silence, for a CLI that sent no hook. */
  private outputState: "working" | "quiet" = "quiet";
  /** A hook said the CLI asks; it holds until a later hook, or input and a screen without it. */
  private hookPrompt: { text: string; detail: string | null; offset: number } | undefined;
  private typedSinceHookPrompt = false;
  /** The prompt the last look at the screen found, kept with the offset it was first seen at. */
  private screenPrompt: ScreenPrompt | undefined;
  /** Until when (ms) the screen's prompt waits for its hook; 0 when it does not. */
  private screenPromptHeldUntil = 0;
  private graceTimer: Timer | undefined;
  /** A prompt answered at `offset`: the screen may still show it until output moves on. */
  private answered: { key: string; offset: number } | undefined;
  private lastOutputMs = 0;
  private checkTimer: Timer | undefined;
  private checking = false;
  private checkAgain = false;
  private disposed = false;

  constructor(private readonly options: TrackerOptions) {
    this.current = {
      state: "quiet",
      since: new Date(options.now()).toISOString(),
      source: "silence",
      prompt: null,
    };
  }

  get activity(): Activity {
    return this.current;
  }

  /** The hooks this session's CLI reports through, if any. */
  get hooks(): HookKind | undefined {
    return this.options.hooks;
  }

  /** The program wrote output. Hot path: a timestamp, and a timer when none is armed. */
  output(): void {
    this.lastOutputMs = this.options.now();
    if (this.hookState === undefined && this.outputState !== "working") {
      this.outputState = "working";
      this.update();
    }
    this.scheduleCheck();
  }

  /** IDLE_AFTER passed without output. */
  silence(): void {
    if (this.outputState === "quiet") return;
    this.outputState = "quiet";
    this.update();
  }

  /**
   * Someone typed into the session: a prompt they answered at the terminal goes, and with a CLI
   * whose hooks do not say when a turn starts, a finished turn gives way to the next one.
   */
  input(): void {
    const hooks = this.options.hooks;
    if (this.hookState === "done" && hooks && !REPORTS_TURN_START[hooks]) {
      this.hookState = "working";
      this.update();
    }
    if (this.hookPrompt) this.typedSinceHookPrompt = true;
    if (this.hookPrompt || this.screenPrompt) this.scheduleCheck();
  }

  /** The CLI's hook reported. */
  hook(signal: HookSignal): void {
    switch (signal.kind) {
      case "none":
        return;
      case "working":
      case "done":
        this.hookState = signal.kind;
        this.hookPrompt = undefined;
        break;
      case "waiting":
        this.hookState ??= "working";
        this.hookPrompt = {
          text: signal.text,
          detail: signal.detail,
          offset: this.options.session.outputEnd,
        };
        this.typedSinceHookPrompt = false;
        break;
    }
    this.update();
    this.scheduleCheck();
  }

  /**
   * The keys that answer `option` (an index into the waiting prompt's options) of the prompt
   * `fingerprint` names, if that prompt is still the one waiting; the prompt then counts as
   * answered. Otherwise why not.
   */
  answer(fingerprint: string, option: number): { keys: string } | { refused: AnswerRefusal } {
    const prompt = this.current.prompt;
    const screen = this.screenPrompt;
    if (!prompt || prompt.fingerprint !== fingerprint) return { refused: "prompt_changed" };
    const chosen = screen?.options[option];
    if (!screen || !chosen) return { refused: "option_invalid" };
    this.answered = { key: promptKey(screen), offset: this.options.session.outputEnd };
    this.screenPrompt = undefined;
    this.hookPrompt = undefined;
    if (this.hookState === undefined) this.outputState = "working";
    else this.hookState = "working";
    this.update();
    this.scheduleCheck();
    return { keys: chosen.keys };
  }

  /** Look at the screen now (a session adopted after a restart may be waiting already). */
  checkNow(): void {
    void this.check();
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.checkTimer);
    this.checkTimer = undefined;
    clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
  }

  private scheduleCheck(): void {
    if (this.checkTimer !== undefined || this.disposed) return;
    if (this.options.patterns.length === 0 && !this.hookPrompt) return;
    const wait = () => {
      this.checkTimer = undefined;
      const quietMs = this.options.now() - this.lastOutputMs;
      if (quietMs < SETTLE_MS) this.checkTimer = setTimeout(wait, SETTLE_MS - quietMs);
      else void this.check();
    };
    this.checkTimer = setTimeout(wait, SETTLE_MS);
  }

  private async check(): Promise<void> {
    if (this.checking) {
      this.checkAgain = true;
      return;
    }
    this.checking = true;
    let screen: ScreenText | undefined;
    try {
      screen = await this.options.session.screenText();
    } catch {
      screen = undefined;
    }
    this.checking = false;
    if (this.disposed) return;
    if (screen) this.saw(screen);
    // No text yet (the screen's parser is still catching up): look again once output settles.
    else this.checkAgain = true;
    if (this.checkAgain) {
      this.checkAgain = false;
      this.scheduleCheck();
    }
  }

  private saw(screen: ScreenText): void {
    let found: FoundPrompt | undefined = findPrompt(screen, this.options.patterns);
    const answered = this.answered;
    if (answered && screen.offset > answered.offset) this.answered = undefined;
    else if (found && answered && promptKey(found) === answered.key) found = undefined;
    if (!found) {
      this.screenPrompt = undefined;
      if (this.hookPrompt && this.typedSinceHookPrompt) this.hookPrompt = undefined;
    } else if (!this.screenPrompt || promptKey(this.screenPrompt) !== promptKey(found)) {
      this.screenPrompt = { ...found, offset: screen.offset };
      this.holdForHook();
    }
    this.update();
  }

  private update(): void {
    const next = this.resolve();
    const current = this.current;
    if (
      next.state === current.state &&
      next.source === current.source &&
      next.prompt?.fingerprint === current.prompt?.fingerprint
    ) {
      return;
    }
    this.current = {
      ...next,
      since:
        next.state === current.state ? current.since : new Date(this.options.now()).toISOString(),
    };
    this.options.session.activityChanged(this.current);
  }

  /** A new prompt on the screen: with a CLI whose hooks report prompts, wait a moment for one. */
  private holdForHook(): void {
    const hooks = this.options.hooks;
    if (!hooks || !REPORTS_PROMPTS[hooks] || this.hookPrompt) return;
    this.screenPromptHeldUntil = this.options.now() + HOOK_GRACE_MS;
    clearTimeout(this.graceTimer);
    this.graceTimer = setTimeout(() => {
      this.graceTimer = undefined;
      if (!this.disposed) this.update();
    }, HOOK_GRACE_MS);
  }

  private resolve(): { state: ActivityState; source: ActivitySource; prompt: Prompt | null } {
    const hook = this.hookPrompt;
    const held = !hook && this.options.now() < this.screenPromptHeldUntil;
    const screen = held ? undefined : this.screenPrompt;
    if (screen) {
      return {
        state: "waiting",
        source: hook ? "hook" : "screen",
        prompt: this.prompt(
          screen.text,
          hook ? (hook.detail ?? hook.text) : null,
          screen.options.map(({ label }) => label),
          screen.offset,
        ),
      };
    }
    if (hook) {
      return {
        state: "waiting",
        source: "hook",
        prompt: this.prompt(hook.text, hook.detail, [], hook.offset),
      };
    }
    if (this.hookState) return { state: this.hookState, source: "hook", prompt: null };
    const state = this.outputState;
    return { state, source: state === "working" ? "output" : "silence", prompt: null };
  }

  private prompt(text: string, detail: string | null, labels: string[], offset: number): Prompt {
    const current = this.current.prompt;
    const fingerprint = createHash("sha256")
      .update(JSON.stringify([this.options.sessionId, text, detail, labels, offset]))
      .digest("hex");
    if (current?.fingerprint === fingerprint) return current;
    return { text, detail, options: labels.map((label) => ({ label })), offset, fingerprint };
  }
}

function promptKey(prompt: FoundPrompt): string {
  return JSON.stringify([prompt.text, prompt.options.map(({ label }) => label)]);
}
