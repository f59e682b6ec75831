// The session's files from the browser: a folder's listing, a text preview, and the URLs that
// show or download a file and download a folder (links the browser follows itself, cookie sent).

import type { ErrorBody } from "../../../src/protocol/errors.ts";
import type { FolderListing } from "../../../src/protocol/files.ts";
import { API, ApiError } from "./http.ts";

export type { FileEntry, FolderListing } from "../../../src/protocol/files.ts";

const base = (sessionId: string) => `${API}/sessions/${encodeURIComponent(sessionId)}/files`;

/** URL of file `path`: shown inline (images, text) or, with `download`, always saved. */
export const fileUrl = (sessionId: string, path: string, download = false) =>
  `${base(sessionId)}/content?${new URLSearchParams({ path, ...(download ? { download: "1" } : {}) })}`;

/** URL of folder `path` as a .tar.gz. */
export const archiveUrl = (sessionId: string, path: string) =>
  `${base(sessionId)}/archive?${new URLSearchParams({ path })}`;

/** GET `url` with the cookie; an error envelope becomes an ApiError. */
export async function fetchOk(url: string): Promise<Response> {
  const response = await fetch(url, { credentials: "same-origin" });
  if (response.ok) return response;
  const body = (await response.json().catch(() => undefined)) as ErrorBody | undefined;
  throw new ApiError(
    response.status,
    body?.error.code ?? "http_error",
    body?.error.message ?? response.statusText,
  );
}

/** The folder `path` (relative to the session's cwd; "" is the cwd). */
export async function listFolder(sessionId: string, path: string): Promise<FolderListing> {
  return (await (
    await fetchOk(`${base(sessionId)}?${new URLSearchParams({ path })}`)
  ).json()) as FolderListing;
}

/** The first 256 KiB of file `path` as text, and whether the file goes on beyond them. */
export async function previewFile(sessionId: string, path: string) {
  const response = await fetchOk(
    `${base(sessionId)}/content?${new URLSearchParams({ path, preview: "1" })}`,
  );
  return { text: await response.text(), truncated: response.headers.get("x-truncated") === "1" };
}
