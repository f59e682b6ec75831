// The audit log as GET /audit sends it. Pure types, shared with web/.

/** One row of GET /audit (newest first). */
export interface AuditEntry {
  id: number;
  at: string;
  actor: string | null;
  clientIp: string | null;
  action: string;
  target: string | null;
  outcome: "ok" | "denied" | "error";
  detail: Record<string, unknown> | null;
}
