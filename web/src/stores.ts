// The composition root of the UI: the API client and every store, created once and handed to
// components through one context.
import { computed, effect } from "@preact/signals";
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import { type ApiClient, createApiClient } from "./api/http.ts";
import { connectSharedEvents } from "./api/shared-events.ts";
import { uploadFile } from "./api/uploads.ts";
import { type AuditStore, createAuditStore } from "./state/audit.ts";
import { type AuthStore, createAuthStore } from "./state/auth.ts";
import { type Clock, createClock } from "./state/clock.ts";
import { createDraftsStore, type DraftsStore } from "./state/drafts.ts";
import { createInboxStore, type InboxStore } from "./state/inbox.ts";
import { createKeyboardStore, type KeyboardStore } from "./state/keyboard.ts";
import {
  createNotificationSettingsStore,
  type NotificationSettingsStore,
} from "./state/notification-settings.ts";
import { createNotifier } from "./state/notifier.ts";
import { createPrefsStore, type PrefsStore } from "./state/prefs.ts";
import { createProvidersStore, type ProvidersStore } from "./state/providers.ts";
import { createPushStore, type PushStore } from "./state/push.ts";
import { createRouter, type Router } from "./state/router.ts";
import { createSearchStore, type SearchStore } from "./state/search.ts";
import { createSessionsStore, type SessionsStore } from "./state/sessions.ts";
import { createTabBadge } from "./state/tab-badge.ts";
import { createUploadsStore, type UploadsStore } from "./state/uploads.ts";
import { createUsersStore, type UsersStore } from "./state/users.ts";

export interface Stores {
  api: ApiClient;
  router: Router;
  auth: AuthStore;
  sessions: SessionsStore;
  inbox: InboxStore;
  push: PushStore;
  notificationSettings: NotificationSettingsStore;
  prefs: PrefsStore;
  clock: Clock;
  keyboard: KeyboardStore;
  providers: ProvidersStore;
  audit: AuditStore;
  /** Search over sessions' output. */
  search: SearchStore;
  users: UsersStore;
  /** Text typed for each session and not sent yet (kept across reloads and sign-ins). */
  drafts: DraftsStore;
  /** Files being uploaded into sessions, and the ones just done. */
  uploads: UploadsStore;
  /** Open the events socket (after sign-in) and badge the tab; returns the disposer. */
  live(): () => void;
}

const APP_NAME = "OpenDray";

export function createStores(): Stores {
  const router = createRouter();
  let auth: AuthStore | undefined;
  const api = createApiClient(() => auth?.expired());
  const drafts = createDraftsStore();
  // Signing out leaves no typed text behind for the next user of this browser.
  auth = createAuthStore(api, router, { onSignOut: () => drafts.clearAll() });
  const prefs = createPrefsStore();
  const push = createPushStore(api, prefs);
  const notificationSettings = createNotificationSettingsStore(api);
  const onAttention = createNotifier({
    prefs,
    push,
    settings: notificationSettings,
    open: (id) => router.navigate(`/s/${id}`),
  });
  const sessions = createSessionsStore(api, { onAttention });
  const inbox = createInboxStore(api, sessions);
  const tabBadge = createTabBadge();
  /** The tab's title before the waiting count: the open session's name, if any. */
  const pageTitle = computed(() => {
    const route = router.route.value;
    const session =
      route.page === "sessions" && route.sessionId
        ? sessions.byId.value.get(route.sessionId)
        : undefined;
    return session ? `${session.name || session.provider} — ${APP_NAME}` : APP_NAME;
  });
  const signedIn = auth;
  return {
    api,
    router,
    auth: signedIn,
    sessions,
    inbox,
    push,
    notificationSettings,
    prefs,
    clock: createClock(),
    keyboard: createKeyboardStore(),
    providers: createProvidersStore(api),
    audit: createAuditStore(api),
    search: createSearchStore(api),
    users: createUsersStore(api),
    drafts,
    uploads: createUploadsStore({ send: uploadFile }),
    live() {
      // One socket for all tabs; the notifier loads the notification settings when first due.
      const events = connectSharedEvents({
        event: (event) => sessions.apply(event),
        open: () => void sessions.load().catch(() => undefined),
        refused: () => void api.me().catch(() => undefined),
      });
      void push.init();
      const badge = effect(() => tabBadge.show(inbox.waiting.value.length, pageTitle.value));
      return () => {
        events.dispose();
        badge();
        tabBadge.show(0, APP_NAME);
      };
    },
  };
}

export const StoresContext = createContext<Stores | null>(null);

export function useStores(): Stores {
  const stores = useContext(StoresContext);
  if (!stores) throw new Error("useStores outside StoresContext");
  return stores;
}
