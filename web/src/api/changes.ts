// The session's changes from the browser: GET /sessions/:id/changes (git status and diffs).

import type { Changes } from "../../../src/protocol/changes.ts";
import { fetchOk } from "./files.ts";
import { API } from "./http.ts";

export type { ChangedFile, Changes, RepoState } from "../../../src/protocol/changes.ts";

/** What changed in the session's folder, as git tells it. */
export async function fetchChanges(sessionId: string): Promise<Changes> {
  return (await (
    await fetchOk(`${API}/sessions/${encodeURIComponent(sessionId)}/changes`)
  ).json()) as Changes;
}
