// What a live session's program is doing for its user, beside its lifecycle state: the
// `activity` of a Session. Pure types: imported by the server and by web/.

/**
 * - `working`: the program is busy on a turn (a hook said so, or output flows).
 * - `waiting`: the program asks something (a permission, a question, a choice): see `prompt`.
 * - `done`: a turn finished; the program waits for the next instruction.
 * - `quiet`: no signal but silence.
 */
export const ACTIVITY_STATES = ["working", "waiting", "done", "quiet"] as const;
export type ActivityState = (typeof ACTIVITY_STATES)[number];

/** Where the current activity was learned, strongest first. */
export type ActivitySource = "hook" | "screen" | "output" | "silence";

/** One answer a prompt offers. */
export interface PromptOption {
  /** What the option reads on screen ("Yes", "No, and tell Claude what to do differently"). */
  label: string;
}

/** A question the program shows and waits on. */
export interface Prompt {
  /** The question ("Do you want to proceed?"), with what it is about where known. */
  text: string;
  /** Detail from the CLI's hook (the command a permission is for), when it gave one. */
  detail: string | null;
  /** The answers it offers, in screen order; empty when only the terminal can answer. */
  options: PromptOption[];
  /** Output offset at which the prompt was drawn. */
  offset: number;
  /**
   * Hex SHA-256 of the session, the text, the options and the offset: an answer names it, and
   * is refused (409 prompt_changed) when another prompt, or none, waits by then.
   */
  fingerprint: string;
}

export interface Activity {
  state: ActivityState;
  /** ISO 8601: when the session entered this state. */
  since: string;
  source: ActivitySource;
  /** Set exactly when `state` is `waiting`. */
  prompt: Prompt | null;
}

/** Channels an answer to a prompt can come through (audited with the answer). */
export type AnswerChannel = "web" | "push" | "telegram";
