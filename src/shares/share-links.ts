// Share links: read-only links to one session (src/protocol/shares.ts). A link's token is 32
// random bytes (base64url) shown once; only its SHA-256 is stored, and a link is found by that
// hash. Open streams of a link are registered here, so that revoking it, or its expiry, closes
// them at once. It reports what was done (created, opened, refused, revoked) for the audit log.

import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { Actor } from "../cause.ts";
import type { ShareLinkRow } from "../db/schema.ts";
import type { ShareLinksRepo } from "../db/share-links-repo.ts";
import { AppError } from "../errors.ts";
import { SHARE_DEFAULT_SECONDS, type ShareLink, type ShareMode } from "../protocol/shares.ts";
import { realTimers, type TimerHandle, type Timers } from "../sessions/timers.ts";

/** Bytes of randomness in a token. */
const TOKEN_BYTES = 32;

/** What the share links report for the audit log. */
export interface ShareAction {
  type: "share.created" | "share.opened" | "share.refused" | "share.revoked";
  /** The session named by the request (for a refusal: as the URL said, if it is one). */
  sessionId: string | null;
  shareId: string | null;
  /** Who: the signed-in user, or for an open only the address (nobody is signed in). */
  actor: Actor | null;
  address: string | null;
  detail: Record<string, unknown>;
}

/** The one answer to every token that does not open the session (unknown, revoked, expired, other session). */
export const shareNotFound = () =>
  new AppError(404, "share_not_found", "this link does not exist, was revoked or has expired");

/** SHA-256 of a token, base64url: what is stored and looked up. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

export interface ShareLinksDeps {
  repo: ShareLinksRepo;
  /** Milliseconds since the epoch (tests bring their own clock, with `timers`). */
  now?: () => number;
  /** Schedule the expiry of open streams. */
  timers?: Timers;
}

/** The link as its owner sees it. */
export function toShareLink(row: ShareLinkRow, nowMs: number): ShareLink {
  return {
    id: row.id,
    sessionId: row.sessionId,
    mode: row.mode,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    revokedAt: row.revokedAt?.toISOString() ?? null,
    lastOpenedAt: row.lastOpenedAt?.toISOString() ?? null,
    active: row.revokedAt === null && row.expiresAt.getTime() > nowMs,
  };
}

export function createShareLinks({ repo, now = Date.now, timers = realTimers }: ShareLinksDeps) {
  const listeners = new Set<(action: ShareAction) => void>();
  const report = (action: ShareAction) => {
    for (const listener of listeners) listener(action);
  };
  // Invariant: an entry exists while a stream of that link is open; its timer fires at the
  // link's expiry and closes them all.
  const watched = new Map<string, { closes: Set<() => void>; timer: TimerHandle }>();
  /** Links revoked by this process, until they expire: a stream registered late still closes. */
  const revoked = new Map<string, number>();

  const endStreams = (shareId: string) => {
    const entry = watched.get(shareId);
    if (!entry) return;
    watched.delete(shareId);
    timers.clear(entry.timer);
    for (const close of entry.closes) close();
  };

  return {
    onAction(listener: (action: ShareAction) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    /** A new link to `sessionId` (which the caller has checked exists); its token, once. */
    async create(
      sessionId: string,
      request: { mode?: ShareMode | undefined; expiresIn?: number | undefined },
      actor: Actor,
    ): Promise<ShareLink & { token: string }> {
      const token = randomBytes(TOKEN_BYTES).toString("base64url");
      const at = now();
      const row = await repo.insert({
        id: randomUUID(),
        sessionId,
        tokenHash: hashToken(token),
        mode: request.mode ?? "live",
        createdBy: actor.username,
        createdAt: new Date(at),
        expiresAt: new Date(at + (request.expiresIn ?? SHARE_DEFAULT_SECONDS) * 1000),
      });
      report({
        type: "share.created",
        sessionId,
        shareId: row.id,
        actor,
        address: actor.address,
        detail: { mode: row.mode, expiresAt: row.expiresAt.toISOString() },
      });
      return { ...toShareLink(row, at), token };
    },

    async list(sessionId: string): Promise<ShareLink[]> {
      const at = now();
      return (await repo.listBySession(sessionId)).map((row) => toShareLink(row, at));
    },

    /**
     * Revoke the session's link `shareId` and close its open streams; 404 share_not_found.
     * Revoking a revoked link again answers as the first time did.
     */
    async revoke(sessionId: string, shareId: string, actor: Actor): Promise<void> {
      const at = now();
      const result = await repo.revoke(sessionId, shareId, new Date(at));
      if (!result) throw shareNotFound();
      revoked.set(shareId, result.row.expiresAt.getTime());
      for (const [id, expiresMs] of revoked) if (expiresMs <= at) revoked.delete(id);
      endStreams(shareId);
      // Revoking again changes nothing and leaves no second row.
      if (!result.revokedNow) return;
      report({
        type: "share.revoked",
        sessionId,
        shareId,
        actor,
        address: actor.address,
        detail: {},
      });
    },

    /**
     * The link `token` opens for `sessionId` (`via` "recording": only a `recording` link), or 404
     * share_not_found. Every token takes the same
     * path: hash, one look-up by hash, the same checks, the same audit row; the token itself is
     * never compared, logged or reported.
     */
    async open(
      sessionId: string,
      token: string,
      address: string,
      via: "page" | "stream" | "recording",
    ): Promise<ShareLinkRow> {
      const row = await repo.findByHash(hashToken(token));
      const at = now();
      const usable =
        row !== undefined &&
        row.sessionId === sessionId &&
        row.revokedAt === null &&
        row.expiresAt.getTime() > at &&
        // The recording is only a `recording` link's: a live link is refused there like any other.
        (via !== "recording" || row.mode === "recording");
      report({
        type: usable ? "share.opened" : "share.refused",
        sessionId: usable ? sessionId : /^[\w-]{1,64}$/.test(sessionId) ? sessionId : null,
        shareId: usable ? row.id : null,
        actor: null,
        address,
        detail: { via },
      });
      if (!usable) throw shareNotFound();
      await repo.touchOpened(row.id, new Date(at));
      return row;
    },

    /**
     * Register an open stream of `link`: `close` runs once when the link is revoked or expires
     * (at once if it already is). Returns the function that unregisters it.
     */
    watch(link: ShareLinkRow, close: () => void): () => void {
      const untilMs = link.expiresAt.getTime() - now();
      if (untilMs <= 0 || revoked.has(link.id)) {
        close();
        return () => {};
      }
      let entry = watched.get(link.id);
      if (!entry) {
        const created = {
          closes: new Set<() => void>(),
          timer: timers.set(() => endStreams(link.id), untilMs),
        };
        watched.set(link.id, created);
        entry = created;
      }
      entry.closes.add(close);
      const closes = entry.closes;
      return () => {
        closes.delete(close);
        if (closes.size === 0 && watched.get(link.id)?.closes === closes) {
          timers.clear(watched.get(link.id)?.timer);
          watched.delete(link.id);
        }
      };
    },

    /** Open share streams (for tests and metrics). */
    get openStreams(): number {
      let count = 0;
      for (const entry of watched.values()) count += entry.closes.size;
      return count;
    },

    /** Stop the expiry timers. */
    dispose(): void {
      for (const entry of watched.values()) timers.clear(entry.timer);
      watched.clear();
    },
  };
}

export type ShareLinks = ReturnType<typeof createShareLinks>;
