// The app shell: the top bar (navigation, notifications opt-in, sign-out) and the page of the
// current route. Signed-out users only ever see the sign-in and setup pages.
import { useEffect } from "preact/hooks";
import { AuditPage } from "./pages/AuditPage.tsx";
import { LoginPage } from "./pages/LoginPage.tsx";
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
      {route.page === "providers" && <ProvidersPage />}
      {route.page === "audit" &&
        (user.role === "admin" ? <AuditPage /> : <p class="pad">Admins only.</p>)}
    </div>
  );
}

function TopBar() {
  const { auth, router, prefs, sessions } = useStores();
  const user = auth.user.value;
  const page = router.route.value.page;
  const link = (path: string, label: string, current: boolean) => (
    <a
      href={path}
      aria-current={current ? "page" : undefined}
      onClick={(event) => {
        event.preventDefault();
        router.navigate(path);
      }}
    >
      {label}
    </a>
  );
  const waiting = sessions.attention.value.size;
  return (
    <header class="top-bar">
      <span class="brand">OpenDray</span>
      <nav>
        {link("/", waiting ? `Sessions (${waiting})` : "Sessions", page === "sessions")}
        {link("/providers", "Providers", page === "providers")}
        {user?.role === "admin" && link("/audit", "Audit", page === "audit")}
      </nav>
      <span class="spacer" />
      {"Notification" in window && (
        <button
          type="button"
          class="icon"
          aria-pressed={prefs.notify.value}
          title={
            prefs.notify.value
              ? "Notifications on: click to turn off"
              : "Notify me when a session waits"
          }
          aria-label="Notify me when a session waits"
          onClick={() =>
            void (prefs.notify.value ? prefs.disableNotifications() : prefs.enableNotifications())
          }
        >
          <BellIcon off={!prefs.notify.value} />
        </button>
      )}
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
