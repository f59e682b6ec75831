// Who is signed in. `user` is undefined until the first /auth/me answers, null when signed out.
// Only a 401 means signed out: a check that fails otherwise (the server away, busy with 429,
// failing with 5xx) is tried again — after Retry-After, backing off from 1 s to 30 s, at once when
// the browser comes back online — while `retrying` says why; the sign-in form waits for a 401.
// An expired sign-in sends the user to /login with the page to come back to.
import { signal } from "@preact/signals";
import type { User } from "../../../src/protocol/auth.ts";
import { type ApiClient, ApiError } from "../api/http.ts";
import type { Router } from "./router.ts";

const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 30_000;
/** Longest Retry-After obeyed: a longer one is more likely a mistake than a plan. */
const RETRY_AFTER_MAX_MS = 60_000;

export interface AuthStoreOptions {
  /** Resolves after `ms`, or sooner when retrying at once makes sense (the browser is back online). */
  wait?: (ms: number) => Promise<void>;
  /** Runs when the user signs out (not when the sign-in merely expires). */
  onSignOut?: () => void;
}

export function createAuthStore(
  api: ApiClient,
  router: Router,
  { wait = waitOrOnline, onSignOut }: AuthStoreOptions = {},
) {
  const user = signal<User | null | undefined>(undefined);
  /** Why the who-am-I check is being tried again ("Can't reach the server…"), or null. */
  const retrying = signal<string | null>(null);

  function toSignIn() {
    const route = router.route.value;
    const next = route.page === "login" ? route.next : router.here();
    retrying.value = null;
    user.value = null;
    if (route.page !== "login" && route.page !== "setup") {
      router.navigate(`/login?next=${encodeURIComponent(next)}`, true);
    }
  }

  return {
    user,
    retrying,
    /** Ask who is signed in until the server answers with a user or a 401. */
    async init() {
      for (let backoffMs = RETRY_MIN_MS; ; backoffMs = Math.min(backoffMs * 2, RETRY_MAX_MS)) {
        try {
          user.value = await api.me();
          retrying.value = null;
          return;
        } catch (error) {
          if (error instanceof ApiError && error.status === 401) return toSignIn();
          const busy = error instanceof ApiError && error.status === 429;
          retrying.value = busy
            ? "The server is busy, retrying…"
            : "Can't reach the server, retrying…";
          const asked = error instanceof ApiError ? (error.retryAfterMs ?? 0) : 0;
          await wait(Math.max(backoffMs, Math.min(asked, RETRY_AFTER_MAX_MS)));
        }
      }
    },
    /** A request answered 401: the token expired or was revoked. */
    expired: toSignIn,
    async login(username: string, password: string, next: string) {
      user.value = (await api.login(username, password)).user;
      router.navigate(next.startsWith("/") && !next.startsWith("//") ? next : "/", true);
    },
    async setup(token: string, username: string, password: string) {
      user.value = (await api.setup(token, username, password)).user;
      router.navigate("/", true);
    },
    async logout() {
      await api.logout().catch(() => undefined);
      onSignOut?.();
      user.value = null;
      router.navigate("/login", true);
    },
  };
}

export type AuthStore = ReturnType<typeof createAuthStore>;

/** Wait `ms`, or less: until the browser reports that it is online again. */
function waitOrOnline(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      removeEventListener("online", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    addEventListener("online", done);
  });
}
