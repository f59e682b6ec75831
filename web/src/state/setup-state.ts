// Whether first-run setup is still open (no account exists yet), asked once of the public
// GET /auth/setup: the sign-in page then points to the setup link, and a used setup link says
// that setup is done before anyone fills in its form.
import { signal } from "@preact/signals";
import type { ApiClient } from "../api/http.ts";

export function createSetupState(api: Pick<ApiClient, "setupState">) {
  /** null until known (or when the server could not say): show neither hint. */
  const open = signal<boolean | null>(null);
  return {
    open,
    async check() {
      try {
        open.value = (await api.setupState()).open;
      } catch {
        open.value = null;
      }
    },
  };
}

export type SetupStateStore = ReturnType<typeof createSetupState>;
