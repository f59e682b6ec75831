// The audit log for admins: the newest 200 rows, loaded when the page opens.
import { signal } from "@preact/signals";
import { type ApiClient, type AuditEntry, errorMessage } from "../api/http.ts";

export function createAuditStore(api: ApiClient) {
  const entries = signal<AuditEntry[] | null>(null);
  const error = signal("");
  return {
    entries,
    error,
    async load() {
      try {
        entries.value = await api.audit();
        error.value = "";
      } catch (e) {
        error.value = errorMessage(e);
      }
    },
  };
}

export type AuditStore = ReturnType<typeof createAuditStore>;
