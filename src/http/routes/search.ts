// /search: full-text search over sessions' indexed output (src/search/). Every signed-in user
// may search, as every one may list and watch sessions; the query never reaches the database as
// SQL, only as text for websearch_to_tsquery, which accepts any input.

import { Hono } from "hono";
import type { OutputHit, OutputTextRepo } from "../../db/output-text-repo.ts";
import { badRequest } from "../../errors.ts";
import {
  MATCH_END,
  MATCH_START,
  SEARCH_LIMIT_DEFAULT,
  SEARCH_LIMIT_MAX,
  SEARCH_OFFSET_MAX,
  SEARCH_QUERY_MAX_CHARS,
  type SearchResponse,
  type SearchResult,
  searchQuerySchema,
} from "../../protocol/search.ts";
import type { AppEnv } from "../app-env.ts";
import { validate } from "../json-body.ts";
import type { Limit } from "../route-limits.ts";

export interface SearchRoutesDeps {
  repo: OutputTextRepo;
  limit: Limit;
}

const DAY_MS = 24 * 3600 * 1000;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** `raw` as a count within [min, max], else 400 `<name>_invalid`. */
function countOf(
  name: string,
  raw: string | undefined,
  min: number,
  max: number,
  fallback: number,
) {
  const value = raw === undefined ? fallback : Number(raw);
  if (value < min || value > max) {
    throw badRequest(`${name}_invalid`, `${name} must be from ${min} to ${max}`);
  }
  return value;
}

export function searchRoutes({ repo, limit }: SearchRoutesDeps) {
  return new Hono<AppEnv>().get("/search", limit("reads"), async (c) => {
    const query = validate(searchQuerySchema, { q: "", ...c.req.query() });
    // Lone surrogates (from %ED%A0%80 and the like) would not survive the trip as text.
    const q = query.q.toWellFormed().trim();
    if (q === "") throw badRequest("query_empty", 'q: give words or a "phrase" to search for');
    if ([...q].length > SEARCH_QUERY_MAX_CHARS) {
      throw badRequest(
        "query_too_long",
        `q: at most ${SEARCH_QUERY_MAX_CHARS} characters (got ${[...q].length})`,
      );
    }
    const pageSize = countOf("limit", query.limit, 1, SEARCH_LIMIT_MAX, SEARCH_LIMIT_DEFAULT);
    const offset = countOf("offset", query.offset, 0, SEARCH_OFFSET_MAX, 0);
    const from = query.from === undefined ? undefined : new Date(query.from);
    // A date alone means the whole of that day.
    const to =
      query.to === undefined
        ? undefined
        : new Date(Date.parse(query.to) + (DATE_ONLY.test(query.to) ? DAY_MS - 1 : 0));
    const hits = await repo.search({
      q,
      provider: query.provider,
      state: query.state,
      cwd: query.cwd,
      from,
      to,
      user: query.user,
      limit: pageSize + 1,
      offset,
      startSel: MATCH_START,
      stopSel: MATCH_END,
    });
    const response: SearchResponse = {
      results: hits.slice(0, pageSize).map(toResult),
      nextOffset: hits.length > pageSize ? offset + pageSize : null,
    };
    return c.json(response);
  });
}

const MATCHES = new RegExp(`${MATCH_START}([^${MATCH_END}]*)${MATCH_END}`, "g");

/** A hit as the API sends it: the matched words, and the line of the first one. */
function toResult(hit: OutputHit): SearchResult {
  const terms = [
    ...new Set([...hit.snippet.matchAll(MATCHES)].map((match) => match[1] ?? "")),
  ].filter((term) => term !== "");
  const first = terms[0]?.toLowerCase();
  const lines = hit.text.split("\n");
  const at =
    first === undefined ? -1 : lines.findIndex((line) => line.toLowerCase().includes(first));
  return {
    session: {
      id: hit.sessionId,
      name: hit.name,
      provider: hit.provider,
      cwd: hit.cwd,
      state: hit.state,
      createdAt: hit.createdAt.toISOString(),
      endedAt: hit.endedAt?.toISOString() ?? null,
      createdBy: hit.createdBy,
    },
    snippet: hit.snippet,
    terms,
    offset: hit.startOffset,
    line: hit.firstLine + Math.max(0, at) + 1,
  };
}
