// All REST calls of the UI: JSON in and out, the od_token cookie (HttpOnly, set by the server),
// and the error envelope turned into ApiError. A 401 tells the auth store to sign in again.

import type { AuditEntry } from "../../../src/protocol/audit.ts";
import type { LoginResult, NewUser, SetupState, User } from "../../../src/protocol/auth.ts";
import type { ErrorBody } from "../../../src/protocol/errors.ts";
import type { ProviderSettingsPatch } from "../../../src/protocol/provider-requests.ts";
import type { ProviderInfo as Provider } from "../../../src/protocol/providers.ts";
import type {
  NewPushSubscription,
  NotificationSettings,
  PushKey,
  PushSubscriptionInfo,
} from "../../../src/protocol/push.ts";
import type { SearchResponse } from "../../../src/protocol/search.ts";
import type { Session } from "../../../src/protocol/session.ts";
import type { NewSession, SessionDeleted } from "../../../src/protocol/session-requests.ts";
import type { ShareCreate, ShareCreated, ShareLink } from "../../../src/protocol/shares.ts";

export type { AuditEntry, NewSession, Provider, ProviderSettingsPatch };

export const API = "/api/v1";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** A 429's or 503's Retry-After, in milliseconds; undefined when the server gave none. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface ApiClient {
  me(): Promise<User>;
  login(username: string, password: string): Promise<LoginResult>;
  setup(setupToken: string, username: string, password: string): Promise<LoginResult>;
  logout(): Promise<void>;
  sessions(): Promise<Session[]>;
  createSession(body: NewSession): Promise<Session>;
  renameSession(id: string, name: string): Promise<Session>;
  stopSession(id: string): Promise<Session>;
  restartSession(id: string): Promise<Session>;
  /**
   * DELETE /sessions/:id; a session with a worktree answers what became of it (kept unless
   * `worktree` is "remove"), any other undefined.
   */
  deleteSession(id: string, worktree?: "keep" | "remove"): Promise<SessionDeleted | undefined>;
  /** Answer the waiting prompt `fingerprint` names with its option `option` (an index). */
  answer(id: string, fingerprint: string, option: number): Promise<Session>;
  /** The session's share links (admins), newest first. */
  shares(sessionId: string): Promise<ShareLink[]>;
  /** A new share link; its token and path come only in this answer. */
  createShare(sessionId: string, body: ShareCreate): Promise<ShareCreated>;
  revokeShare(sessionId: string, shareId: string): Promise<void>;
  providers(): Promise<Provider[]>;
  setProviderEnabled(id: string, enabled: boolean): Promise<Provider>;
  /** PATCH /providers/:id: secrets are write-only (a value sets, null clears). */
  updateProvider(id: string, patch: ProviderSettingsPatch): Promise<Provider>;
  /** Probe the provider's executable again (after installing it). */
  reprobeProvider(id: string): Promise<Provider>;
  users(): Promise<User[]>;
  createUser(body: NewUser): Promise<User>;
  deleteUser(id: string): Promise<void>;
  /** POST /auth/password: the answer's token is also the new cookie. */
  changePassword(currentPassword: string, newPassword: string): Promise<LoginResult>;
  completeDirs(prefix: string): Promise<{ dirs: string[]; truncated: boolean }>;
  /** The HOME sessions get: the new-session dialog's default folder. */
  home(): Promise<string>;
  /** Whether first-run setup is still open (no account exists); public. */
  setupState(): Promise<SetupState>;
  audit(): Promise<AuditEntry[]>;
  /** GET /search: `params` are its query (q, filters, limit, offset), empty values left out. */
  search(params: Record<string, string>): Promise<SearchResponse>;
  pushKey(): Promise<PushKey>;
  pushSubscriptions(): Promise<PushSubscriptionInfo[]>;
  addPushSubscription(body: NewPushSubscription): Promise<PushSubscriptionInfo>;
  removePushSubscription(id: string): Promise<void>;
  notificationSettings(): Promise<NotificationSettings>;
  saveNotificationSettings(settings: NotificationSettings): Promise<NotificationSettings>;
}

/** The client; `onUnauthorized` runs when a call other than sign-in answers 401. */
export function createApiClient(onUnauthorized: () => void): ApiClient {
  // A password change replaces the cookie and closes the sockets of the old one, whose owners
  // then check the sign-in: a 401 to a request that left with the old cookie says nothing about
  // the new one. `credentials` counts the changes; `changing` settles when the last one has.
  let credentials = 0;
  let changing: Promise<void> = Promise.resolve();
  const refused = async (sentWith: number) => {
    await changing;
    if (credentials === sentWith) onUnauthorized();
  };

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const sentWith = credentials;
    const response = await fetch(`${API}${path}`, {
      method,
      credentials: "same-origin",
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 204) return undefined as T;
    const parsed = (await response.json().catch(() => undefined)) as unknown;
    if (!response.ok) {
      const error = (parsed as ErrorBody | undefined)?.error;
      // A wrong current password (POST /auth/password) is a 401 too, but the sign-in is fine.
      if (
        response.status === 401 &&
        error?.code !== "invalid_credentials" &&
        !path.startsWith("/auth/login") &&
        !path.startsWith("/auth/setup")
      ) {
        void refused(sentWith);
      }
      throw new ApiError(
        response.status,
        error?.code ?? "http_error",
        error?.message ?? response.statusText,
        retryAfterMs(response.headers.get("retry-after")),
      );
    }
    return parsed as T;
  }
  const id = encodeURIComponent;
  return {
    me: () => call<User>("GET", "/auth/me"),
    login: (username, password) => call("POST", "/auth/login", { username, password }),
    setup: (setupToken, username, password) =>
      call("POST", "/auth/setup", { setupToken, username, password }),
    logout: () => call("POST", "/auth/logout", {}),
    sessions: async () => (await call<{ sessions: Session[] }>("GET", "/sessions")).sessions,
    createSession: (body) => call("POST", "/sessions", body),
    renameSession: (sessionId, name) => call("PATCH", `/sessions/${id(sessionId)}`, { name }),
    stopSession: (sessionId) => call("POST", `/sessions/${id(sessionId)}/stop`, {}),
    restartSession: (sessionId) => call("POST", `/sessions/${id(sessionId)}/restart`, {}),
    deleteSession: (sessionId, worktree) =>
      call("DELETE", `/sessions/${id(sessionId)}${worktree ? `?worktree=${worktree}` : ""}`, {}),
    answer: (sessionId, fingerprint, option) =>
      call("POST", `/sessions/${id(sessionId)}/answer`, { fingerprint, option }),
    shares: async (sessionId) =>
      (await call<{ shares: ShareLink[] }>("GET", `/sessions/${id(sessionId)}/shares`)).shares,
    createShare: (sessionId, body) => call("POST", `/sessions/${id(sessionId)}/shares`, body),
    revokeShare: (sessionId, shareId) =>
      call("DELETE", `/sessions/${id(sessionId)}/shares/${id(shareId)}`, {}),
    providers: async () => (await call<{ providers: Provider[] }>("GET", "/providers")).providers,
    setProviderEnabled: (providerId, enabled) =>
      call("PATCH", `/providers/${id(providerId)}`, { enabled }),
    updateProvider: (providerId, patch) => call("PATCH", `/providers/${id(providerId)}`, patch),
    reprobeProvider: (providerId) => call("POST", `/providers/${id(providerId)}/refresh`, {}),
    users: async () => (await call<{ users: User[] }>("GET", "/users")).users,
    createUser: (body) => call("POST", "/users", body),
    deleteUser: (userId) => call("DELETE", `/users/${id(userId)}`, {}),
    changePassword(currentPassword, newPassword) {
      const result = call<LoginResult>("POST", "/auth/password", { currentPassword, newPassword });
      changing = result.then(
        () => {
          credentials++;
        },
        () => undefined,
      );
      return result;
    },
    completeDirs: (prefix) => call("GET", `/fs/dirs?prefix=${id(prefix)}`),
    home: async () => (await call<{ home: string }>("GET", "/fs/home")).home,
    setupState: () => call("GET", "/auth/setup"),
    audit: async () => (await call<{ entries: AuditEntry[] }>("GET", "/audit?limit=200")).entries,
    search: (params) => {
      const query = new URLSearchParams(
        Object.entries(params).filter(([, value]) => value.trim() !== ""),
      );
      return call("GET", `/search?${query}`);
    },
    pushKey: () => call("GET", "/push/key"),
    pushSubscriptions: async () =>
      (await call<{ subscriptions: PushSubscriptionInfo[] }>("GET", "/push/subscriptions"))
        .subscriptions,
    addPushSubscription: (body) => call("POST", "/push/subscriptions", body),
    removePushSubscription: (subscriptionId) =>
      call("DELETE", `/push/subscriptions/${id(subscriptionId)}`, {}),
    notificationSettings: () => call("GET", "/notifications/settings"),
    saveNotificationSettings: (settings) => call("PUT", "/notifications/settings", settings),
  };
}

/** Retry-After in milliseconds: delay-seconds, or an HTTP date; undefined when absent or bad. */
function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const ms = /^\d+$/.test(header.trim()) ? Number(header) * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) ? Math.max(0, ms) : undefined;
}

/** A sentence to show for a failed call. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** ws:// or wss:// URL of an API path on this origin. */
export function socketUrl(path: string): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${API}${path}`;
}
