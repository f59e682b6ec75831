// The composition root of the UI: the API client and every store, created once and handed to
// components through one context.
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Session } from "../../src/protocol/session.ts";
import { connectEvents } from "./api/events.ts";
import { type ApiClient, createApiClient } from "./api/http.ts";
import { type AuditStore, createAuditStore } from "./state/audit.ts";
import { type AuthStore, createAuthStore } from "./state/auth.ts";
import { type Clock, createClock } from "./state/clock.ts";
import { createKeyboardStore, type KeyboardStore } from "./state/keyboard.ts";
import { createPrefsStore, type PrefsStore } from "./state/prefs.ts";
import { createProvidersStore, type ProvidersStore } from "./state/providers.ts";
import { createRouter, type Router } from "./state/router.ts";
import { createSessionsStore, type SessionsStore } from "./state/sessions.ts";

export interface Stores {
  api: ApiClient;
  router: Router;
  auth: AuthStore;
  sessions: SessionsStore;
  prefs: PrefsStore;
  clock: Clock;
  keyboard: KeyboardStore;
  providers: ProvidersStore;
  audit: AuditStore;
  /** Open the events socket (after sign-in); returns its disposer. */
  live(): () => void;
}

export function createStores(): Stores {
  const router = createRouter();
  let auth: AuthStore | undefined;
  const api = createApiClient(() => auth?.expired());
  auth = createAuthStore(api, router);
  const prefs = createPrefsStore();
  const notify = (session: Session) => {
    if (!prefs.notify.value || !("Notification" in window) || Notification.permission !== "granted")
      return;
    const note = new Notification(`${session.name || session.provider} is waiting`, {
      body: `${session.provider} in ${session.cwd}`,
      tag: session.id,
      icon: "/icon-192.png",
    });
    note.onclick = () => {
      focus();
      router.navigate(`/s/${session.id}`);
    };
  };
  const sessions = createSessionsStore(api, { onAttention: notify });
  const signedIn = auth;
  return {
    api,
    router,
    auth: signedIn,
    sessions,
    prefs,
    clock: createClock(),
    keyboard: createKeyboardStore(),
    providers: createProvidersStore(api),
    audit: createAuditStore(api),
    live() {
      const events = connectEvents({
        event: (event) => sessions.apply(event),
        open: () => void sessions.load().catch(() => undefined),
        refused: () => void api.me().catch(() => undefined),
      });
      return () => events.dispose();
    },
  };
}

export const StoresContext = createContext<Stores | null>(null);

export function useStores(): Stores {
  const stores = useContext(StoresContext);
  if (!stores) throw new Error("useStores outside StoresContext");
  return stores;
}
