// Persistence of sessions' indexed output text (src/search/): the only code that queries
// `session_output_text`. Chunks are appended in order; the oldest are dropped past a per-session
// limit; search is PostgreSQL full-text search ('simple' configuration), the same on PGlite.

import { and, asc, desc, eq, gte, lte, max, or, type SQL, sql } from "drizzle-orm";
import type { SessionState } from "../protocol/session.ts";
import type { Db } from "./client.ts";
import { sessionOutputText, sessions } from "./schema.ts";

/** A chunk of whole lines of one session's output text, as the indexer writes it. */
export interface OutputTextChunk {
  sessionId: string;
  seq: number;
  startOffset: number;
  endOffset: number;
  firstLine: number;
  /** Lines joined by "\n". */
  text: string;
}

/** Where a session's index stands: what the indexer resumes from. */
export interface IndexedPoint {
  /** Output offset the next chunk starts at or after (0: nothing indexed). */
  endOffset: number;
  nextSeq: number;
  /** Index of the next line among the session's lines. */
  nextLine: number;
  /** Bytes of text held (UTF-8). */
  textBytes: number;
}

/** What GET /search asks, parsed. */
export interface OutputSearch {
  q: string;
  provider?: string | undefined;
  state?: SessionState | undefined;
  /** A folder: sessions in it or under it. */
  cwd?: string | undefined;
  /** Sessions active at or after / at or before these instants. */
  from?: Date | undefined;
  to?: Date | undefined;
  /** Who created the session (username). */
  user?: string | undefined;
  limit: number;
  offset: number;
  /** Marks around each match in `snippet`. */
  startSel: string;
  stopSel: string;
}

/** One chunk that matched, with its session. */
export interface OutputHit {
  sessionId: string;
  name: string;
  provider: string;
  cwd: string;
  state: SessionState;
  createdAt: Date;
  endedAt: Date | null;
  createdBy: string | null;
  startOffset: number;
  firstLine: number;
  text: string;
  snippet: string;
}

/** ts_headline's options: a few fragments of up to 30 words around the matches. */
const HEADLINE_OPTIONS = 'MaxFragments=2, MaxWords=30, MinWords=8, FragmentDelimiter=" … "';

const t = sessionOutputText;

/** `OFFSET 0` as drizzle's offset(), which takes numbers and omits 0 (see search). */
const OFFSET_ZERO = sql`0` as unknown as number;

/** Matching chunks ranked at most, the newest: ranking reads every candidate's tsvector. */
export const RANK_CANDIDATES = 1000;

/** Creates the output text repository over an open drizzle handle. */
export function createOutputTextRepo(db: Db) {
  return {
    /** Where `sessionId`'s index stands (zeros when nothing is indexed). */
    async indexedPoint(sessionId: string): Promise<IndexedPoint> {
      const [last] = await db
        .select({
          seq: t.seq,
          endOffset: t.endOffset,
          firstLine: t.firstLine,
          lines: sql<number>`array_length(string_to_array(${t.text}, E'\\n'), 1)`.mapWith(Number),
        })
        .from(t)
        .where(eq(t.sessionId, sessionId))
        .orderBy(desc(t.seq))
        .limit(1);
      if (!last) return { endOffset: 0, nextSeq: 0, nextLine: 0, textBytes: 0 };
      const [sum] = await db
        .select({ bytes: sql<number>`coalesce(sum(octet_length(${t.text})), 0)`.mapWith(Number) })
        .from(t)
        .where(eq(t.sessionId, sessionId));
      return {
        endOffset: last.endOffset,
        nextSeq: last.seq + 1,
        nextLine: last.firstLine + last.lines,
        textBytes: sum?.bytes ?? 0,
      };
    },

    /** The end offset indexed for every session that has text; sessions without have none. */
    async indexedEnds(): Promise<Map<string, number>> {
      const rows = await db
        .select({ sessionId: t.sessionId, end: max(t.endOffset) })
        .from(t)
        .groupBy(t.sessionId);
      return new Map(rows.map((row) => [row.sessionId, Number(row.end ?? 0)]));
    },

    /** Appends chunks (in order). */
    async insert(chunks: OutputTextChunk[]): Promise<void> {
      if (chunks.length > 0) await db.insert(t).values(chunks);
    },

    /**
     * Drops `sessionId`'s oldest chunks until at most `limitBytes` of text remain; returns the
     * bytes that remain.
     */
    async trim(sessionId: string, limitBytes: number): Promise<number> {
      // The newest chunks whose running total (newest first) fits stay; the rest go.
      const kept = db
        .select({
          seq: t.seq,
          total: sql<number>`sum(octet_length(${t.text})) over (order by ${t.seq} desc)`.as(
            "total",
          ),
        })
        .from(t)
        .where(eq(t.sessionId, sessionId))
        .as("kept");
      await db
        .delete(t)
        .where(
          and(
            eq(t.sessionId, sessionId),
            sql`${t.seq} in (select ${kept.seq} from ${kept} where ${kept.total} > ${limitBytes})`,
          ),
        );
      const [sum] = await db
        .select({ bytes: sql<number>`coalesce(sum(octet_length(${t.text})), 0)`.mapWith(Number) })
        .from(t)
        .where(eq(t.sessionId, sessionId));
      return sum?.bytes ?? 0;
    },

    /**
     * Chunks matching `search.q` (web search syntax, 'simple' configuration), best first (rank,
     * then newer sessions, then later output) among the newest RANK_CANDIDATES matches; at most
     * `limit` after skipping `offset`.
     */
    async search(search: OutputSearch): Promise<OutputHit[]> {
      const query = sql`websearch_to_tsquery('simple', ${search.q})`;
      const filters: (SQL | undefined)[] = [sql`${t.words} @@ ${query}`];
      if (search.provider !== undefined) filters.push(eq(sessions.provider, search.provider));
      if (search.state !== undefined) filters.push(eq(sessions.state, search.state));
      if (search.user !== undefined) filters.push(eq(sessions.createdBy, search.user));
      if (search.cwd !== undefined) {
        const folder = search.cwd.length > 1 ? search.cwd.replace(/\/+$/, "") : search.cwd;
        const under = folder.endsWith("/") ? folder : `${folder}/`;
        filters.push(
          or(eq(sessions.cwd, folder), sql`left(${sessions.cwd}, ${under.length}) = ${under}`),
        );
      }
      // Sessions active in the span: created by its end, not ended before its start.
      if (search.to !== undefined) filters.push(lte(sessions.createdAt, search.to));
      if (search.from !== undefined) {
        filters.push(or(sql`${sessions.endedAt} is null`, gte(sessions.endedAt, search.from)));
      }
      // Ranking reads each match's tsvector: only the newest RANK_CANDIDATES matches are
      // ranked (a common word can match every chunk), then the page, then the snippets of its
      // rows only (ts_headline reads the whole text).
      // OFFSET 0 keeps the planner from merging the two: it would walk sessions newest first
      // and test every chunk's words instead of asking the GIN index for the matches. (drizzle
      // leaves out an offset of the number 0, so it is given as SQL.)
      const matches = db
        .select({ sessionId: t.sessionId, seq: t.seq, createdAt: sessions.createdAt })
        .from(t)
        .innerJoin(sessions, eq(sessions.id, t.sessionId))
        .where(and(...filters))
        .offset(OFFSET_ZERO)
        .as("matches");
      const candidates = db
        .select()
        .from(matches)
        .orderBy(desc(matches.createdAt), desc(matches.seq))
        .limit(RANK_CANDIDATES)
        .as("candidates");
      const rank = sql<number>`ts_rank(${t.words}, ${query})`.as("rank");
      const hits = db
        .select({
          sessionId: candidates.sessionId,
          seq: candidates.seq,
          createdAt: candidates.createdAt,
          rank,
        })
        .from(candidates)
        .innerJoin(t, and(eq(t.sessionId, candidates.sessionId), eq(t.seq, candidates.seq)))
        .orderBy(desc(rank), desc(candidates.createdAt), desc(candidates.seq))
        .limit(search.limit)
        .offset(search.offset)
        .as("hits");
      const options = `StartSel=${search.startSel}, StopSel=${search.stopSel}, ${HEADLINE_OPTIONS}`;
      return db
        .select({
          sessionId: sessions.id,
          name: sessions.name,
          provider: sessions.provider,
          cwd: sessions.cwd,
          state: sessions.state,
          createdAt: sessions.createdAt,
          endedAt: sessions.endedAt,
          createdBy: sessions.createdBy,
          startOffset: t.startOffset,
          firstLine: t.firstLine,
          text: t.text,
          snippet: sql<string>`ts_headline('simple', ${t.text}, ${query}, ${options})`,
        })
        .from(hits)
        .innerJoin(t, and(eq(t.sessionId, hits.sessionId), eq(t.seq, hits.seq)))
        .innerJoin(sessions, eq(sessions.id, t.sessionId))
        .orderBy(desc(hits.rank), desc(hits.createdAt), desc(t.seq), asc(sessions.id));
    },
  };
}

/** The output text repository. */
export type OutputTextRepo = ReturnType<typeof createOutputTextRepo>;
