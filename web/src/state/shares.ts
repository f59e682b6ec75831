// The share links of one session, for the share dialog: listed, made (the new link's full URL
// is kept here only until the dialog closes: it cannot be shown again), and revoked.
import { signal } from "@preact/signals";
import type { ShareCreate, ShareLink } from "../../../src/protocol/shares.ts";
import { type ApiClient, errorMessage } from "../api/http.ts";

export function createSharesStore(api: ApiClient, sessionId: string) {
  /** null until loaded; newest first. */
  const links = signal<ShareLink[] | null>(null);
  const error = signal("");
  /** The URL of the link just made, shown once. */
  const created = signal<string | null>(null);
  const load = async () => {
    try {
      links.value = await api.shares(sessionId);
      error.value = "";
    } catch (e) {
      error.value = errorMessage(e);
    }
  };
  return {
    links,
    error,
    created,
    load,
    async create(request: ShareCreate): Promise<void> {
      try {
        const made = await api.createShare(sessionId, request);
        created.value = `${location.origin}${made.path}`;
        error.value = "";
      } catch (e) {
        error.value = errorMessage(e);
      }
      await load();
    },
    async revoke(shareId: string): Promise<void> {
      try {
        await api.revokeShare(sessionId, shareId);
      } catch (e) {
        error.value = errorMessage(e);
      }
      await load();
    },
  };
}

export type SharesStore = ReturnType<typeof createSharesStore>;
