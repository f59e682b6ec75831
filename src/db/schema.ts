// Database schema (drizzle pg-core): the single source for tables, SQL migrations and row types.
// Columns are snake_case in SQL and camelCase in TypeScript; regenerate drizzle/ after edits.

import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { SESSION_STATES, type SessionState } from "../protocol/session.ts";

/** Outcomes of an audited action. */
export const AUDIT_OUTCOMES = ["ok", "denied", "error"] as const;
/** Outcome of an audited action. */
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** Roles a user account can hold (what each may do is decided by the HTTP layer). */
export const USER_ROLES = ["admin", "viewer"] as const;
/** Role of a user account. */
export type UserRole = (typeof USER_ROLES)[number];

/** `'a', 'b', …` for a CHECK constraint; the values are our own constants, never user input. */
function sqlList(values: readonly string[]) {
  return sql.raw(values.map((v) => `'${v}'`).join(", "));
}

/**
 * One row per PTY session, live or finished. The PTY, ring buffer and viewers live in memory;
 * this row is what survives a restart. Invariant: scrollbackStart <= outputOffset.
 */
export const sessions = pgTable(
  "sessions",
  {
    /** UUID string, chosen by the server. */
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    provider: text("provider").notNull(),
    cwd: text("cwd").notNull(),
    args: jsonb("args").$type<string[]>().notNull().default([]),
    state: text("state").$type<SessionState>().notNull(),
    pid: integer("pid"),
    exitCode: integer("exit_code"),
    exitSignal: text("exit_signal"),
    cols: integer("cols").notNull(),
    rows: integer("rows").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    endedAt: timestamp("ended_at", { withTimezone: true }),
    lastOutputAt: timestamp("last_output_at", { withTimezone: true }),
    /** Bytes of output since the session began (the end offset of the stream). */
    outputOffset: bigint("output_offset", { mode: "number" }).notNull().default(0),
    /** Absolute offset of the first byte kept in the on-disk scrollback. */
    scrollbackStart: bigint("scrollback_start", { mode: "number" }).notNull().default(0),
    /** The session this one restarted; no foreign key because a parent may be deleted. */
    parentSessionId: text("parent_session_id"),
    createdBy: text("created_by"),
    endReason: text("end_reason"),
    /** The CLI's own conversation id (Claude's `--session-id`), so a restart can resume it. */
    conversationId: text("conversation_id"),
    /** Started with the provider's bypass flag; a restart starts it with the flag again. */
    bypass: boolean("bypass").notNull().default(false),
    /**
     * The git worktree the session runs in (all four set, or all null): its folder, branch, the
     * commit the branch started from, and the repository's main worktree.
     */
    worktreePath: text("worktree_path"),
    worktreeBranch: text("worktree_branch"),
    worktreeBase: text("worktree_base"),
    worktreeRepository: text("worktree_repository"),
  },
  (t) => [
    index("sessions_created_at_idx").on(t.createdAt),
    index("sessions_state_idx").on(t.state),
    check("sessions_state_check", sql`${t.state} in (${sqlList(SESSION_STATES)})`),
  ],
);

/** Append-only record of security-relevant actions (login, setup, session lifecycle). */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    actor: text("actor"),
    clientIp: text("client_ip"),
    action: text("action").notNull(),
    target: text("target"),
    outcome: text("outcome").$type<AuditOutcome>().notNull(),
    detail: jsonb("detail").$type<Record<string, unknown>>(),
  },
  (t) => [
    index("audit_log_at_idx").on(t.at),
    check("audit_log_outcome_check", sql`${t.outcome} in (${sqlList(AUDIT_OUTCOMES)})`),
  ],
);

/**
 * Accounts that can log in. `username` is stored as given; uniqueness and look-up are
 * case-insensitive through the unique index on lower(username). Tokens issued at or before
 * `passwordChangedAt` (second granularity) are no longer accepted (src/auth/tokens.ts).
 */
export const users = pgTable(
  "users",
  {
    /** UUID string, chosen by the server. */
    id: text("id").primaryKey(),
    username: text("username").notNull(),
    /** Argon2id PHC string (src/auth/passwords.ts); never leaves the server. */
    passwordHash: text("password_hash").notNull(),
    role: text("role").$type<UserRole>().notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    passwordChangedAt: timestamp("password_changed_at", { withTimezone: true })
      .notNull()
      .defaultNow(),
  },
  (t) => [
    uniqueIndex("users_username_lower_idx").on(sql`lower(${t.username})`),
    check("users_role_check", sql`${t.role} in (${sqlList(USER_ROLES)})`),
  ],
);

/** A non-secret provider config value, as a manifest field of that type holds it. */
export type ProviderConfigValue = string | number | boolean;

/**
 * Operator settings of one provider (src/providers/manifest.ts); no row means the defaults.
 * `secrets` holds only sealed values (src/providers/secret-box.ts, context `<providerId>:<key>`),
 * never plaintext.
 */
export const providerSettings = pgTable("provider_settings", {
  /** The manifest id; no foreign key because manifests are files, not rows. */
  providerId: text("provider_id").primaryKey(),
  enabled: boolean("enabled").notNull().default(true),
  /** Default args added to every launch of this provider. */
  args: jsonb("args").$type<string[]>().notNull().default([]),
  /** Non-secret field values by field key. */
  config: jsonb("config").$type<Record<string, ProviderConfigValue>>().notNull().default({}),
  /** Secret field values by field key, each a `v1.…` sealed string. */
  secrets: jsonb("secrets").$type<Record<string, string>>().notNull().default({}),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
});

/**
 * Tokens signed out before they expire (POST /auth/logout), by their `jti`. A row is kept until
 * the token's own expiry, after which the signature check refuses the token anyway.
 */
export const revokedTokens = pgTable(
  "revoked_tokens",
  {
    jti: text("jti").primaryKey(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [index("revoked_tokens_expires_at_idx").on(t.expiresAt)],
);

/**
 * A device's Web Push subscription (the browser's PushSubscription), per user. `endpoint` is a
 * capability URL of the push service; `p256dh` and `auth` (base64url) encrypt messages to it.
 * A subscription the push service says is gone (404/410) is deleted.
 */
export const pushSubscriptions = pgTable(
  "push_subscriptions",
  {
    /** UUID string, chosen by the server. */
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    endpoint: text("endpoint").notNull(),
    p256dh: text("p256dh").notNull(),
    auth: text("auth").notNull(),
    label: text("label").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    lastSuccessAt: timestamp("last_success_at", { withTimezone: true }),
    /** Sends in a row that failed (an error, a timeout); reset by a success. */
    failures: integer("failures").notNull().default(0),
  },
  (t) => [
    uniqueIndex("push_subscriptions_endpoint_idx").on(t.endpoint),
    index("push_subscriptions_user_id_idx").on(t.userId),
  ],
);

/** Keys the server makes once and keeps (the VAPID key pair), each value sealed. */
export const serverKeys = pgTable("server_keys", {
  name: text("name").primaryKey(),
  /** A `v1.…` sealed string (src/providers/secret-box.ts, context `server-key:<name>`). */
  value: text("value").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
});

/** A user's choice of what notifies them, and when not; no row means the defaults. */
export const notificationSettings = pgTable("notification_settings", {
  userId: text("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  activities: jsonb("activities").$type<string[]>().notNull(),
  quietHours: jsonb("quiet_hours").$type<{ start: string; end: string; timeZone: string }>(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
});

/** How a share link shows its session: following it live, or only the output kept when opened. */
export const SHARE_MODES = ["live", "recording"] as const;
/** How a share link shows its session. */
export type ShareMode = (typeof SHARE_MODES)[number];

/**
 * A read-only link to one session (src/shares/). Only the SHA-256 of its token is kept
 * (`token_hash`, base64url): the token itself is shown once, when the link is made. A link
 * works while `revoked_at` is null and `expires_at` is in the future.
 */
export const shareLinks = pgTable(
  "share_links",
  {
    /** UUID string, chosen by the server. */
    id: text("id").primaryKey(),
    sessionId: text("session_id")
      .notNull()
      .references(() => sessions.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull(),
    mode: text("mode").$type<ShareMode>().notNull(),
    /** Username of who made it. */
    createdBy: text("created_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    lastOpenedAt: timestamp("last_opened_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("share_links_token_hash_idx").on(t.tokenHash),
    index("share_links_session_id_idx").on(t.sessionId),
    check("share_links_mode_check", sql`${t.mode} in (${sqlList(SHARE_MODES)})`),
  ],
);

/** PostgreSQL's `tsvector` (drizzle has no built-in column type for it); never read back. */
const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });

/**
 * The text of a session's output for full-text search (src/search/): escape sequences removed,
 * lines as a terminal shows them, in chunks of whole lines. `startOffset` is the output offset
 * of the chunk's first line, `endOffset` one past the last byte it covers (the indexer resumes
 * there); `firstLine` numbers its first line among the session's indexed lines (from 0).
 * `words` is generated from `text` with the 'simple' configuration (no stemming, no stop words:
 * commands and identifiers are searched as typed). Deleting a session deletes its rows.
 */
export const sessionOutputText = pgTable(
  "session_output_text",
  {
    sessionId: text("session_id")
      .notNull()
      .references(() => sessions.id, { onDelete: "cascade" }),
    /** Chunk number within the session, from 0, in output order. */
    seq: integer("seq").notNull(),
    startOffset: bigint("start_offset", { mode: "number" }).notNull(),
    endOffset: bigint("end_offset", { mode: "number" }).notNull(),
    firstLine: integer("first_line").notNull(),
    text: text("text").notNull(),
    words: tsvector("words")
      .notNull()
      .generatedAlwaysAs(sql`to_tsvector('simple'::regconfig, "text")`),
  },
  (t) => [
    primaryKey({ columns: [t.sessionId, t.seq] }),
    index("session_output_text_words_idx").using("gin", t.words),
  ],
);

/** A `sessions` row as read. */
export type SessionRow = typeof sessions.$inferSelect;
/** A `sessions` row as inserted (defaults optional). */
export type NewSessionRow = typeof sessions.$inferInsert;
/** An `audit_log` row as read. */
export type AuditRow = typeof auditLog.$inferSelect;
/** An `audit_log` row as inserted. */
export type NewAuditRow = typeof auditLog.$inferInsert;
/** A `users` row as read. */
export type UserRow = typeof users.$inferSelect;
/** A `users` row as inserted (defaults optional). */
export type NewUserRow = typeof users.$inferInsert;
/** A `provider_settings` row as read. */
export type ProviderSettingsRow = typeof providerSettings.$inferSelect;
/** A `push_subscriptions` row as read. */
export type PushSubscriptionRow = typeof pushSubscriptions.$inferSelect;
/** A `share_links` row as read. */
export type ShareLinkRow = typeof shareLinks.$inferSelect;
