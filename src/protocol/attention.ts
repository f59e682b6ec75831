// What a live session's program is doing for its user, beside its lifecycle state: the
// `activity` of a Session. Schemas (zod/mini, small enough for the browser) and the types
// inferred from them: imported by the server and by web/.

import * as z from "zod/mini";

/**
 * - `working`: the program is busy on a turn (a hook said so, or output flows).
 * - `waiting`: the program asks something (a permission, a question, a choice): see `prompt`.
 * - `done`: a turn finished; the program waits for the next instruction.
 * - `quiet`: no signal but silence.
 */
export const ACTIVITY_STATES = ["working", "waiting", "done", "quiet"] as const;
export const activityStateSchema = z.enum(ACTIVITY_STATES);
export type ActivityState = z.infer<typeof activityStateSchema>;

/** Where the current activity was learned, strongest first. */
export const activitySourceSchema = z.enum(["hook", "screen", "output", "silence"]);
export type ActivitySource = z.infer<typeof activitySourceSchema>;

/** One answer a prompt offers. */
export const promptOptionSchema = z.object({
  /** What the option reads on screen ("Yes", "No, and tell Claude what to do differently"). */
  label: z.string(),
});
export type PromptOption = z.infer<typeof promptOptionSchema>;

/** A question the program shows and waits on. */
export const promptSchema = z.object({
  /** The question ("Do you want to proceed?"), with what it is about where known. */
  text: z.string(),
  /** Detail from the CLI's hook (the command a permission is for), when it gave one. */
  detail: z.nullable(z.string()),
  /** The answers it offers, in screen order; empty when only the terminal can answer. */
  options: z.array(promptOptionSchema),
  /** Output offset at which the prompt was drawn. */
  offset: z.number(),
  /**
   * Hex SHA-256 of the session, the text, the options and the offset: an answer names it, and
   * is refused (409 prompt_changed) when another prompt, or none, waits by then.
   */
  fingerprint: z.string(),
});
export type Prompt = z.infer<typeof promptSchema>;

export const activitySchema = z.object({
  state: activityStateSchema,
  /** ISO 8601: when the session entered this state. */
  since: z.string(),
  source: activitySourceSchema,
  /** Set exactly when `state` is `waiting`. */
  prompt: z.nullable(promptSchema),
});
export type Activity = z.infer<typeof activitySchema>;

/** Channels an answer to a prompt can come through (audited with the answer). */
export const answerChannelSchema = z.enum(["web", "push", "telegram"]);
export type AnswerChannel = z.infer<typeof answerChannelSchema>;
