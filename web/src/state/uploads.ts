// Uploads in flight and just finished, per session: what the drop zone, the paste handler and the
// upload buttons start, and what the terminal area shows (progress, the path typed, errors).

import { signal } from "@preact/signals";
import { errorMessage } from "../api/http.ts";
import type { UploadOptions, UploadResult } from "../api/uploads.ts";

/** How long a finished upload stays listed, in milliseconds (failures stay until dismissed). */
export const DONE_SHOWN_MS = 6000;

export interface UploadItem {
  key: number;
  sessionId: string;
  name: string;
  size: number;
  sent: number;
  state: "sending" | "done" | "failed";
  /** The path written (done) or why it failed. */
  detail: string;
}

export interface UploadsDeps {
  send: (
    id: string,
    file: File,
    onProgress: (sent: number) => void,
    options: UploadOptions,
  ) => Promise<UploadResult>;
  /** Injectable for tests; default setTimeout. */
  later?: (run: () => void, ms: number) => void;
}

export function createUploadsStore({
  send,
  later = (run, ms) => setTimeout(run, ms),
}: UploadsDeps) {
  const items = signal<readonly UploadItem[]>([]);
  let nextKey = 0;
  const change = (key: number, patch: Partial<UploadItem>) => {
    items.value = items.value.map((item) => (item.key === key ? { ...item, ...patch } : item));
  };
  const dismiss = (key: number) => {
    items.value = items.value.filter((item) => item.key !== key);
  };
  return {
    items,
    dismiss,
    /**
     * Uploads `files` into session `id` one after the other (their paths are typed in order),
     * into its upload folder or `options.dir`, replacing same-named files only if asked.
     */
    async upload(id: string, files: readonly File[], options: UploadOptions = {}): Promise<void> {
      const queued = files.map((file) => ({ file, key: nextKey++ }));
      items.value = [
        ...items.value,
        ...queued.map(({ file, key }) => ({
          key,
          sessionId: id,
          name: file.name,
          size: file.size,
          sent: 0,
          state: "sending" as const,
          detail: "",
        })),
      ];
      for (const { file, key } of queued) {
        try {
          const result = await send(id, file, (sent) => change(key, { sent }), options);
          const detail = `${result.typed ? "typed" : "saved"} ${result.path}`;
          change(key, { state: "done", sent: file.size, name: result.name, detail });
          later(() => dismiss(key), DONE_SHOWN_MS);
        } catch (error) {
          change(key, { state: "failed", detail: errorMessage(error) });
        }
      }
    },
  };
}

export type UploadsStore = ReturnType<typeof createUploadsStore>;
