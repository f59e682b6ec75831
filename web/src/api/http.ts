// All REST calls of the UI: JSON in and out, the od_token cookie (HttpOnly, set by the server),
// and the error envelope turned into ApiError. A 401 tells the auth store to sign in again.

import type { LoginResult, User } from "../../../src/protocol/auth.ts";
import type { ErrorBody } from "../../../src/protocol/errors.ts";
import type { AuditEntry, ProviderInfo as Provider } from "../../../src/protocol/providers.ts";
import type {
  NewPushSubscription,
  NotificationSettings,
  PushKey,
  PushSubscriptionInfo,
} from "../../../src/protocol/push.ts";
import type { Session } from "../../../src/protocol/session.ts";

export type { AuditEntry, Provider };

export const API = "/api/v1";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface NewSession {
  provider: string;
  cwd: string;
  name?: string;
  args?: string[];
  bypass?: boolean;
  cols?: number;
  rows?: number;
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
  deleteSession(id: string): Promise<void>;
  /** Answer the waiting prompt `fingerprint` names with its option `option` (an index). */
  answer(id: string, fingerprint: string, option: number): Promise<Session>;
  providers(): Promise<Provider[]>;
  setProviderEnabled(id: string, enabled: boolean): Promise<Provider>;
  completeDirs(prefix: string): Promise<{ dirs: string[]; truncated: boolean }>;
  audit(): Promise<AuditEntry[]>;
  pushKey(): Promise<PushKey>;
  pushSubscriptions(): Promise<PushSubscriptionInfo[]>;
  addPushSubscription(body: NewPushSubscription): Promise<PushSubscriptionInfo>;
  removePushSubscription(id: string): Promise<void>;
  notificationSettings(): Promise<NotificationSettings>;
  saveNotificationSettings(settings: NotificationSettings): Promise<NotificationSettings>;
}

/** The client; `onUnauthorized` runs when a call other than sign-in answers 401. */
export function createApiClient(onUnauthorized: () => void): ApiClient {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
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
      if (
        response.status === 401 &&
        !path.startsWith("/auth/login") &&
        !path.startsWith("/auth/setup")
      ) {
        onUnauthorized();
      }
      throw new ApiError(
        response.status,
        error?.code ?? "http_error",
        error?.message ?? response.statusText,
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
    deleteSession: (sessionId) => call("DELETE", `/sessions/${id(sessionId)}`, {}),
    answer: (sessionId, fingerprint, option) =>
      call("POST", `/sessions/${id(sessionId)}/answer`, { fingerprint, option }),
    providers: async () => (await call<{ providers: Provider[] }>("GET", "/providers")).providers,
    setProviderEnabled: (providerId, enabled) =>
      call("PATCH", `/providers/${id(providerId)}`, { enabled }),
    completeDirs: (prefix) => call("GET", `/fs/dirs?prefix=${id(prefix)}`),
    audit: async () => (await call<{ entries: AuditEntry[] }>("GET", "/audit?limit=200")).entries,
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

/** A sentence to show for a failed call. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** ws:// or wss:// URL of an API path on this origin. */
export function socketUrl(path: string): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${API}${path}`;
}
