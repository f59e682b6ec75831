// The audit log for admins: the newest 200 rows, loaded when the page opens.
import type { ApiClient } from "../api/http.ts";
import { createLoadable } from "./loadable.ts";

export const createAuditStore = (api: ApiClient) => createLoadable("entries", () => api.audit());

export type AuditStore = ReturnType<typeof createAuditStore>;
