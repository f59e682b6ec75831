// What a share link's page reads without an account: the session's summary, by the session id
// and the token in the page's path. No cookie goes with it, and a 401 signs nobody out.

import { type SharedSession, sharedSessionSchema } from "../../../src/protocol/shares.ts";
import { decodeValue } from "./decode.ts";
import { API, ApiError } from "./http.ts";
import { type Cast, fetchCastAt } from "./recordings.ts";

/** The API path of a link's stream. */
export function shareStreamPath(sessionId: string, token: string): string {
  return `/share/${encodeURIComponent(sessionId)}/${encodeURIComponent(token)}/stream`;
}

/** GET /share/:sessionId/:token; ApiError 404 share_not_found when the link does not open. */
export async function fetchSharedSession(sessionId: string, token: string): Promise<SharedSession> {
  const response = await fetch(
    `${API}/share/${encodeURIComponent(sessionId)}/${encodeURIComponent(token)}`,
    { credentials: "omit", cache: "no-store" },
  );
  const body = (await response.json().catch(() => undefined)) as unknown;
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiError(response.status, error?.code ?? "http_error", error?.message ?? "");
  }
  const shared = decodeValue(sharedSessionSchema, body, "shared session");
  if (!shared) throw new ApiError(500, "invalid_response", "the server sent an unexpected answer");
  return shared;
}

/**
 * GET /share/:sessionId/:token/recording.cast (a `recording` link's): ApiError 404
 * share_not_found when the link does not open, recording_not_found when there is none.
 */
export function fetchSharedCast(sessionId: string, token: string): Promise<Cast> {
  return fetchCastAt(
    `${API}/share/${encodeURIComponent(sessionId)}/${encodeURIComponent(token)}/recording.cast`,
    { credentials: "omit", cache: "no-store" },
  );
}
