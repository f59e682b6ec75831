// Completion of the new-session dialog's working directory. It asks the server for a folder's
// subdirectories once (GET /fs/dirs with "parent/") and filters them locally while the user
// types inside that folder, so typing a path costs one read per folder, not one per key (reads
// are rate-limited). Large folders (truncated listings) are asked with the exact prefix, at
// most once per 200 ms of typing; answers that arrive late are dropped.
import { signal } from "@preact/signals";
import type { ApiClient } from "../api/http.ts";

const DEBOUNCE_MS = 200;

export function createDirCompletion(
  api: Pick<ApiClient, "completeDirs">,
  { debounceMs = DEBOUNCE_MS }: { debounceMs?: number } = {},
) {
  const dirs = signal<string[]>([]);
  /** Complete listings of folders, by "parent/" (only those the server did not truncate). */
  const listings = new Map<string, string[]>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Resolves the promise of the call whose look-up is still waiting for its timer. */
  let waiting: (() => void) | undefined;
  const cancel = () => {
    clearTimeout(timer);
    waiting?.();
    waiting = undefined;
  };
  let latest = "";

  const show = (prefix: string, listing: string[]) => {
    const partial = prefix.slice(prefix.lastIndexOf("/") + 1);
    dirs.value = listing.filter((dir) => {
      const name = dir.slice(dir.lastIndexOf("/") + 1);
      return name.startsWith(partial) && (partial.startsWith(".") || !name.startsWith("."));
    });
  };

  return {
    dirs,
    /** Complete `prefix`; resolves once `dirs` shows its answer (or a later call took over). */
    complete(prefix: string): Promise<void> {
      cancel();
      latest = prefix;
      if (!prefix.startsWith("/")) {
        dirs.value = [];
        return Promise.resolve();
      }
      const parent = prefix.slice(0, prefix.lastIndexOf("/") + 1);
      const known = listings.get(parent);
      if (known) {
        show(prefix, known);
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        waiting = resolve;
        timer = setTimeout(() => {
          waiting = undefined;
          void lookUp(prefix, parent).finally(resolve);
        }, debounceMs);
      });
    },
    dispose: cancel,
  };

  async function lookUp(prefix: string, parent: string): Promise<void> {
    const partial = prefix.slice(parent.length);
    // A listing of the whole folder serves every later key typed inside it, unless the
    // user is after hidden folders (the server lists those only for a "." prefix).
    const ask = partial.startsWith(".") ? prefix : parent;
    const answer = await api.completeDirs(ask).catch(() => undefined);
    if (!answer) return;
    if (ask === parent && !answer.truncated) listings.set(parent, answer.dirs);
    if (latest !== prefix) return;
    if (ask === parent && answer.truncated) {
      // Too many to filter locally: ask for exactly what was typed.
      const exact = await api.completeDirs(prefix).catch(() => undefined);
      if (exact && latest === prefix) dirs.value = exact.dirs;
      return;
    }
    show(prefix, answer.dirs);
  }
}
