// Who is signed in. `user` is undefined while the first /auth/me is pending, null when signed
// out. An expired sign-in sends the user to /login with the page to come back to.
import { signal } from "@preact/signals";
import type { User } from "../../../src/protocol/auth.ts";
import type { ApiClient } from "../api/http.ts";
import type { Router } from "./router.ts";

export function createAuthStore(api: ApiClient, router: Router) {
  const user = signal<User | null | undefined>(undefined);

  function toSignIn() {
    const route = router.route.value;
    const next = route.page === "login" ? route.next : router.here();
    user.value = null;
    if (route.page !== "login" && route.page !== "setup") {
      router.navigate(`/login?next=${encodeURIComponent(next)}`, true);
    }
  }

  return {
    user,
    async init() {
      try {
        user.value = await api.me();
      } catch {
        toSignIn();
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
      user.value = null;
      router.navigate("/login", true);
    },
  };
}

export type AuthStore = ReturnType<typeof createAuthStore>;
