// A session's recording: the URLs that download it (links the browser follows itself, cookie
// sent) and the asciicast the replay player plays, fetched and checked line by line.

import type { ErrorBody } from "../../../src/protocol/errors.ts";
import {
  type CastEvent,
  type CastHeader,
  castEventSchema,
  castHeaderSchema,
  DEFAULT_IDLE_LIMIT_S,
} from "../../../src/protocol/recording.ts";
import { decodeJson } from "./decode.ts";
import { API, ApiError } from "./http.ts";

export type { CastEvent, CastHeader };

export interface Cast {
  header: CastHeader;
  events: CastEvent[];
}

/** URL of the recording as an asciicast file or as plain text. */
export const recordingUrl = (sessionId: string, format: "cast" | "txt") =>
  `${API}/sessions/${encodeURIComponent(sessionId)}/recording.${format}`;

/** The recording, its pauses capped at the server's default idle limit. */
export function fetchCast(sessionId: string): Promise<Cast> {
  return fetchCastAt(`${recordingUrl(sessionId, "cast")}?idle_limit=${DEFAULT_IDLE_LIMIT_S}`, {
    credentials: "same-origin",
  });
}

/** The asciicast at `url`, checked line by line; ApiError with the server's code otherwise. */
export async function fetchCastAt(url: string, init: RequestInit): Promise<Cast> {
  const response = await fetch(url, init);
  if (!response.ok) {
    const body = (await response.json().catch(() => undefined)) as ErrorBody | undefined;
    throw new ApiError(
      response.status,
      body?.error.code ?? "http_error",
      body?.error.message ?? response.statusText,
    );
  }
  const [first = "", ...lines] = (await response.text()).split("\n");
  const header = decodeJson(castHeaderSchema, first, "recording header");
  if (!header) throw new ApiError(502, "recording_unreadable", "the recording could not be read");
  const events: CastEvent[] = [];
  for (const line of lines) {
    const event = line ? decodeJson(castEventSchema, line, "recording event") : undefined;
    if (event) events.push(event);
  }
  return { header, events };
}
