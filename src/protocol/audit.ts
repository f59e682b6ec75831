// The audit log as GET /audit sends it: the schema (zod/mini) and the type inferred from it,
// shared with web/.

import * as z from "zod/mini";

/** One row of GET /audit (newest first). */
export const auditEntrySchema = z.object({
  id: z.number(),
  at: z.string(),
  actor: z.nullable(z.string()),
  clientIp: z.nullable(z.string()),
  action: z.string(),
  target: z.nullable(z.string()),
  outcome: z.enum(["ok", "denied", "error"]),
  detail: z.nullable(z.record(z.string(), z.unknown())),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;
