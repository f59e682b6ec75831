// Providers: which CLIs are installed (version, path or install hint), enabled or not, and for
// admins the way to each one's settings.
import { useEffect } from "preact/hooks";
import { useStores } from "../stores.ts";

export function ProvidersPage() {
  const { providers, auth, router } = useStores();
  const admin = auth.user.value?.role === "admin";
  useEffect(() => {
    void providers.refresh();
  }, [providers]);
  const list = providers.providers.value;
  return (
    <main class="page admin">
      <h2>Providers</h2>
      {providers.error.value && <p class="error">{providers.error.value}</p>}
      {!list && <p class="muted">Loading…</p>}
      <ul class="cards">
        {list?.map((p) => (
          <li key={p.id} class="card provider-card">
            <div class="row-top">
              <strong>{p.name}</strong>
              <span class={`pill ${p.available ? "pill-running" : "pill-failed"}`}>
                {p.available ? (p.version ?? "installed") : "not installed"}
              </span>
              <span class="spacer" />
              <label class="check">
                <input
                  type="checkbox"
                  checked={p.enabled}
                  disabled={!admin}
                  onChange={(event) => void providers.setEnabled(p.id, event.currentTarget.checked)}
                />
                enabled
              </label>
            </div>
            <p class="muted">{p.description}</p>
            <p class="mono small">
              {p.available ? p.path : p.installHint ? `Install: ${p.installHint}` : p.command}
            </p>
            {admin && (
              <a
                class="button-link"
                href={`/providers/${p.id}`}
                aria-label={`${p.name} settings`}
                onClick={(event) => {
                  event.preventDefault();
                  router.navigate(`/providers/${p.id}`);
                }}
              >
                Settings
              </a>
            )}
          </li>
        ))}
      </ul>
    </main>
  );
}
