// GET /sessions/:id/recording.cast: an asciicast v2 file (https://docs.asciinema.org/manual/asciicast/v2/),
// one JSON header line, then one JSON event per line. The text export (recording.txt) is plain text.

import * as z from "zod/mini";

export const RECORDING_MEDIA_TYPE = "application/x-asciicast";
/** `?idle_limit=`'s default, in seconds: longer pauses are shortened to it. */
export const DEFAULT_IDLE_LIMIT_S = 2;

export const castHeaderSchema = z.object({
  version: z.literal(2),
  width: z.number(),
  height: z.number(),
  /** Epoch seconds of the start. */
  timestamp: z.optional(z.number()),
  /** Pauses were shortened to this many seconds. */
  idle_time_limit: z.optional(z.number()),
  title: z.optional(z.string()),
  env: z.optional(z.record(z.string(), z.string())),
  /** The recording stopped before the session's end (OpenDray's own fields). */
  truncated: z.optional(z.boolean()),
  truncated_reason: z.optional(z.string()),
});
export type CastHeader = z.infer<typeof castHeaderSchema>;

/** [seconds, "o" (output) | "r" (resize, "COLSxROWS") | another kind, data]. */
export const castEventSchema = z.tuple([z.number(), z.string(), z.string()]);
export type CastEvent = z.infer<typeof castEventSchema>;
