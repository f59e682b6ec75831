// The app shell: the top bar (navigation, the inbox with its count, notification settings,
// sign-out) and the page of the current route. Signed-out users only ever see the sign-in and
// setup pages, and a share link's page (which asks nobody to sign in and shows nothing else).
import type { JSX } from "preact";
import { useEffect } from "preact/hooks";
import { AdminOnly } from "./components/AdminOnly.tsx";
import { Disclosure } from "./components/Disclosure.tsx";
import { Shortcuts } from "./components/Shortcuts.tsx";
import { AccountPage } from "./pages/AccountPage.tsx";
import { AuditPage } from "./pages/AuditPage.tsx";
import { InboxPage } from "./pages/InboxPage.tsx";
import { LoginPage } from "./pages/LoginPage.tsx";
import { NotificationsPage } from "./pages/NotificationsPage.tsx";
import { ProviderSettingsPage } from "./pages/ProviderSettingsPage.tsx";
import { ProvidersPage } from "./pages/ProvidersPage.tsx";
import { SearchPage } from "./pages/SearchPage.tsx";
import { SetupPage } from "./pages/SetupPage.tsx";
import { SharePage } from "./pages/SharePage.tsx";
import { UsersPage } from "./pages/UsersPage.tsx";
import { Workbench } from "./pages/Workbench.tsx";
import { useStores } from "./stores.ts";

export function App() {
  const stores = useStores();
  const { auth, router } = stores;
  const route = router.route.value;
  const user = auth.user.value;

  useEffect(() => {
    if (route.page !== "setup" && route.page !== "share") void auth.init();
  }, []);

  useEffect(() => (user ? stores.live() : undefined), [user?.id]);

  if (route.page === "share") return <SharePage sessionId={route.sessionId} token={route.token} />;
  if (route.page === "setup") return <SetupPage token={route.token} />;
  if (route.page === "login") return <LoginPage next={route.next} />;
  // Until the server says who is signed in (retried while it cannot: only a 401 signs out).
  if (user === undefined) {
    return (
      <p class="muted pad connecting" role="status">
        {auth.retrying.value ?? "Loading…"}
      </p>
    );
  }
  if (user === null) return <LoginPage next={router.here()} />;
  return (
    <div class="shell">
      <TopBar />
      <Shortcuts />
      {route.page === "sessions" && <Workbench sessionId={route.sessionId} find={route.find} />}
      {route.page === "search" && <SearchPage />}
      {route.page === "inbox" && <InboxPage />}
      {route.page === "notifications" && <NotificationsPage />}
      {route.page === "providers" && <ProvidersPage />}
      {route.page === "provider" &&
        (user.role === "admin" ? (
          <ProviderSettingsPage providerId={route.providerId} />
        ) : (
          <AdminOnly what="change a provider's settings" />
        ))}
      {route.page === "users" &&
        (user.role === "admin" ? <UsersPage /> : <AdminOnly what="manage users" />)}
      {route.page === "account" && <AccountPage />}
      {route.page === "audit" &&
        (user.role === "admin" ? <AuditPage /> : <AdminOnly what="read the audit log" />)}
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
  // Beside Sessions and Inbox on a wide screen, behind "More" on a phone.
  const pages = () =>
    [
      link("/search", "Search", page === "search"),
      link("/providers", "Providers", page === "providers" || page === "provider"),
      user?.role === "admin" && link("/audit", "Audit", page === "audit"),
      user?.role === "admin" && link("/users", "Users", page === "users"),
      link("/account", "Account", page === "account"),
    ].filter((element): element is JSX.Element => Boolean(element));
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
        <span class="nav-pages">{pages()}</span>
        <MorePages
          current={["search", "providers", "provider", "audit", "users", "account"].includes(page)}
        >
          {pages()}
        </MorePages>
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

/**
 * The pages that do not fit a phone's top bar, in a disclosure (shown only in the phone layout,
 * styles/phone.css); it closes when the page changes, and on a tap or Esc elsewhere.
 */
function MorePages({ current, children }: { current: boolean; children: JSX.Element[] }) {
  const path = useStores().router.route.value;
  return (
    <Disclosure
      class="nav-more"
      summary="More"
      summaryProps={{ "aria-current": current ? "page" : undefined }}
      listClass="nav-more-list"
      closeOn={path}
    >
      {children}
    </Disclosure>
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
