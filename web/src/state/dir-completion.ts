// Completion of the new-session dialog's working directory: asks the server at most once per
// 200 ms of typing, and only for absolute paths; answers that arrive late are dropped.
import { signal } from "@preact/signals";
import type { ApiClient } from "../api/http.ts";

const DEBOUNCE_MS = 200;

export function createDirCompletion(api: ApiClient) {
  const dirs = signal<string[]>([]);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let latest = "";
  return {
    dirs,
    complete(prefix: string) {
      clearTimeout(timer);
      latest = prefix;
      if (!prefix.startsWith("/")) {
        dirs.value = [];
        return;
      }
      timer = setTimeout(async () => {
        const answer = await api.completeDirs(prefix).catch(() => [] as string[]);
        if (latest === prefix) dirs.value = answer;
      }, DEBOUNCE_MS);
    },
    dispose() {
      clearTimeout(timer);
    },
  };
}
