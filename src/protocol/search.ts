// Full-text search over sessions' output (GET /search): the query and the results, as zod/mini
// schemas with the types inferred from them, shared with web/.
//
// A snippet marks each match between MATCH_START and MATCH_END (control characters that never
// occur in indexed text): clients split on them and render the parts as text, never as HTML.

import * as z from "zod/mini";
import { SESSION_STATES, sessionStateSchema } from "./session.ts";

/** Longest `q` accepted, in characters; longer is 400 query_too_long. */
export const SEARCH_QUERY_MAX_CHARS = 500;
/** Results per page by default and at most. */
export const SEARCH_LIMIT_DEFAULT = 20;
export const SEARCH_LIMIT_MAX = 100;
/** Deepest page: `offset` beyond this is refused (search is for finding, not for export). */
export const SEARCH_OFFSET_MAX = 1000;

/** Opens a match in a snippet. */
export const MATCH_START = "\u0002";
/** Closes a match in a snippet. */
export const MATCH_END = "\u0003";

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;
const date = z.string().check(
  z.refine((value) => ISO_DATE.test(value) && !Number.isNaN(Date.parse(value)), {
    message: "expected an ISO 8601 date (2026-01-31 or 2026-01-31T12:00:00Z)",
  }),
);
/** A non-negative integer as a query string carries it. */
const count = z
  .string()
  .check(z.regex(/^\d{1,6}$/, { message: "expected a non-negative integer" }));

/**
 * The query string of GET /search. `q` is words and "quoted phrases" (web search syntax:
 * `-word` excludes, `or` between alternatives); `cwd` matches the folder and those under it;
 * `from`/`to` keep sessions active in that span; `user` is who created the session.
 */
export const searchQuerySchema = z.object({
  q: z.string(),
  provider: z.optional(z.string().check(z.maxLength(100))),
  state: z.optional(z.enum(SESSION_STATES)),
  cwd: z.optional(z.string().check(z.maxLength(4096))),
  from: z.optional(date),
  to: z.optional(date),
  user: z.optional(z.string().check(z.maxLength(100))),
  /** 1 to SEARCH_LIMIT_MAX (default SEARCH_LIMIT_DEFAULT). */
  limit: z.optional(count),
  /** Results to skip, 0 to SEARCH_OFFSET_MAX. */
  offset: z.optional(count),
});
export type SearchQuery = z.infer<typeof searchQuerySchema>;

/** The session a result comes from, as much as a list of results shows. */
export const searchSessionSchema = z.object({
  id: z.string(),
  name: z.string(),
  provider: z.string(),
  cwd: z.string(),
  state: sessionStateSchema,
  createdAt: z.string(),
  endedAt: z.nullable(z.string()),
  createdBy: z.nullable(z.string()),
});
export type SearchSession = z.infer<typeof searchSessionSchema>;

/** One match: a piece of one session's output text. */
export const searchResultSchema = z.object({
  session: searchSessionSchema,
  /** The text around the matches, each between MATCH_START and MATCH_END. */
  snippet: z.string(),
  /** The words matched, as the output has them (what the terminal's Find looks for). */
  terms: z.array(z.string()),
  /** Output offset (bytes since the session began) where the indexed piece holding the match begins. */
  offset: z.number(),
  /** Number of that line among the session's indexed lines, from 1. */
  line: z.number(),
});
export type SearchResult = z.infer<typeof searchResultSchema>;

/** GET /search: best matches first; `nextOffset` pages on (null on the last page). */
export const searchResponseSchema = z.object({
  results: z.array(searchResultSchema),
  nextOffset: z.nullable(z.number()),
});
export type SearchResponse = z.infer<typeof searchResponseSchema>;
