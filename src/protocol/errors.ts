// The JSON error envelope every failing request receives: the schema (zod/mini) and its type.

import * as z from "zod/mini";

export const errorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;
