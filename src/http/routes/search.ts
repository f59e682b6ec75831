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
/** Lines of context on each side of the line with the first match. */
const CONTEXT_LINES = 1;
/** Characters of a long line kept around its first match. */
const LINE_CHARS = 240;

/**
 * A hit as the API sends it. ts_headline finds the matched words (`terms`), but shows the text
 * as its parser sees it (XML-like tags such as `<b>` become spaces); the snippet is cut from
 * the output text itself instead: the line of the first match with a line on each side, every
 * term marked.
 */
function toResult(hit: OutputHit): SearchResult {
  const terms = [
    ...new Set([...hit.snippet.matchAll(MATCHES)].map((match) => match[1] ?? "")),
  ].filter((term) => term !== "");
  const pattern =
    terms.length === 0
      ? undefined
      : new RegExp(
          terms.map((term) => term.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"),
          "giu",
        );
  const lines = hit.text.split("\n");
  const at = pattern ? lines.findIndex((line) => line.search(pattern) !== -1) : -1;
  const snippet =
    at === -1 || !pattern
      ? hit.snippet
      : lines
          .slice(Math.max(0, at - CONTEXT_LINES), at + CONTEXT_LINES + 1)
          .map((line) => aroundMatch(line, pattern))
          .map((line) => line.replace(pattern, (match) => `${MATCH_START}${match}${MATCH_END}`))
          .join("\n");
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
    snippet,
    terms,
    offset: hit.startOffset,
    line: hit.firstLine + Math.max(0, at) + 1,
  };
}

/** `line`, or LINE_CHARS of it around its first match, with … where it was cut. */
function aroundMatch(line: string, pattern: RegExp): string {
  const chars = [...line];
  if (chars.length <= LINE_CHARS) return line;
  pattern.lastIndex = 0;
  const index = line.search(pattern);
  const from = Math.max(0, [...line.slice(0, Math.max(0, index))].length - LINE_CHARS / 4);
  const to = Math.min(chars.length, from + LINE_CHARS);
  return `${from > 0 ? "…" : ""}${chars.slice(from, to).join("")}${to < chars.length ? "…" : ""}`;
}
