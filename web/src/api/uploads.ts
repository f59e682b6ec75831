// POST /sessions/:id/uploads from the browser: the File itself as the body (the browser streams it
// from disk), with the header that marks a same-origin upload, and progress as it is sent.
// XMLHttpRequest, since fetch reports no upload progress.

import type { ErrorBody } from "../../../src/protocol/errors.ts";
import { UPLOAD_HEADER, type UploadResult } from "../../../src/protocol/uploads.ts";
import { API, ApiError } from "./http.ts";

export type { UploadResult };

/** Where an upload goes and whether it may replace a file of the same name. */
export interface UploadOptions {
  /** Folder relative to the session's cwd ("" is the cwd itself); default the upload folder. */
  dir?: string;
  /** Replace a file of the same name instead of taking "name (1).ext". */
  overwrite?: boolean;
}

/**
 * Sends `file` into session `id`'s upload folder (or `options.dir`); `onProgress` gets the bytes
 * sent so far.
 */
export function uploadFile(
  id: string,
  file: File,
  onProgress: (sent: number) => void,
  options: UploadOptions = {},
): Promise<UploadResult> {
  const query = new URLSearchParams({ name: file.name });
  if (options.dir !== undefined) query.set("dir", options.dir);
  if (options.overwrite) query.set("overwrite", "1");
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", `${API}/sessions/${id}/uploads?${query}`);
    request.setRequestHeader(UPLOAD_HEADER, "1");
    request.setRequestHeader("content-type", file.type || "application/octet-stream");
    request.upload.onprogress = (event) => onProgress(event.loaded);
    request.onerror = () => reject(new ApiError(0, "network_error", "the upload was cut off"));
    request.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(request.responseText);
      } catch {}
      if (request.status === 201) return resolve(body as UploadResult);
      const error = (body as ErrorBody | undefined)?.error;
      reject(
        new ApiError(
          request.status,
          error?.code ?? "http_error",
          error?.message ?? `upload failed (${request.status})`,
        ),
      );
    };
    request.send(file);
  });
}
