// The app shell: the top bar (navigation, the inbox with its count, notification settings,
// sign-out) and the page of the current route. Signed-out users only ever see the sign-in and
// setup pages.
import { useEffect } from "preact/hooks";
import { AuditPage } from "./pages/AuditPage.tsx";
import { InboxPage } from "./pages/InboxPage.tsx";
import { LoginPage } from "./pages/LoginPage.tsx";
import { NotificationsPage } from "./pages/NotificationsPage.tsx";
import { ProvidersPage } from "./pages/ProvidersPage.tsx";
import { SetupPage } from "./pages/SetupPage.tsx";
import { Workbench } from "./pages/Workbench.tsx";
import { useStores } from "./stores.ts";

export function App() {
  const stores = useStores();
  const { auth, router } = stores;
  const route = router.route.value;
  const user = auth.user.value;

  useEffect(() => {
    if (route.page !== "setup") void auth.init();
  }, []);

  useEffect(() => (user ? stores.live() : undefined), [user?.id]);

  if (route.page === "setup") return <SetupPage token={route.token} />;
  if (route.page === "login") return <LoginPage next={route.next} />;
  if (user === undefined) return <p class="muted pad">Loading…</p>;
  if (user === null) return <LoginPage next={router.here()} />;
  return (
    <div class="shell">
      <TopBar />
      {route.page === "sessions" && <Workbench sessionId={route.sessionId} />}
      {route.page === "inbox" && <InboxPage />}
      {route.page === "notifications" && <NotificationsPage />}
      {route.page === "providers" && <ProvidersPage />}
      {route.page === "audit" &&
        (user.role === "admin" ? <AuditPage /> : <p class="pad">Admins only.</p>)}
    </div>
  );
}

function TopBar() {
  const { auth, router, prefs, push, inbox } = useStores();
  const user = auth.user.value;
  const page = router.route.value.page;
  const go = (path: string) => (event: MouseEvent) => {
    event.preventDefault();
    router.navigate(path);
  };
  const link = (path: string, label: string, current: boolean) => (
    <a href={path} aria-current={current ? "page" : undefined} onClick={go(path)}>
      {label}
    </a>
  );
  const waiting = inbox.waiting.value.length;
  const notifying = push.enabled.value || prefs.notify.value;
  return (
    <header class="top-bar">
      <span class="brand">OpenDray</span>
      <nav>
        {link("/", "Sessions", page === "sessions")}
        <a
          href="/inbox"
          aria-current={page === "inbox" ? "page" : undefined}
          aria-label={waiting ? `Inbox, ${waiting} waiting` : "Inbox"}
          onClick={go("/inbox")}
        >
          Inbox
          {waiting > 0 && (
            <span class="count" aria-hidden="true">
              {waiting}
            </span>
          )}
        </a>
        {link("/providers", "Providers", page === "providers")}
        {user?.role === "admin" && link("/audit", "Audit", page === "audit")}
      </nav>
      <span class="spacer" />
      <a
        href="/notifications"
        class="icon"
        aria-current={page === "notifications" ? "page" : undefined}
        data-on={notifying}
        title={notifying ? "Notifications are on" : "Notifications are off"}
        aria-label="Notification settings"
        onClick={go("/notifications")}
      >
        <BellIcon off={!notifying} />
      </a>
      <span class="user muted">
        {user?.username}
        {user?.role === "viewer" ? " (viewer)" : ""}
      </span>
      <button type="button" onClick={() => void auth.logout()}>
        Sign out
      </button>
    </header>
  );
}

function BellIcon({ off }: { off: boolean }) {
  return (
    <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" aria-hidden="true">
      <path d="M6 16V11a6 6 0 0 1 12 0v5l2 2H4z" stroke-linejoin="round" />
      <path d="M10 20a2 2 0 0 0 4 0" />
      {off && <path d="M4 4l16 16" stroke-linecap="round" />}
    </svg>
  );
}
