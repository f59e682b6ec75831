// One provider's settings (admins): whether it is installed (and a re-probe after installing it),
// then the form of its settings: enabled, default arguments, its manifest's fields and API keys.
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { errorMessage } from "../api/http.ts";
import { ErrorAlert } from "../components/ErrorAlert.tsx";
import { ProviderSettingsForm } from "../components/ProviderSettingsForm.tsx";
import { useStores } from "../stores.ts";

export function ProviderSettingsPage({ providerId }: { providerId: string }) {
  const { providers, router } = useStores();
  const probing = useSignal(false);
  const probeError = useSignal("");
  useEffect(() => {
    void providers.ensure();
  }, [providers]);
  const list = providers.providers.value;
  const provider = list?.find((p) => p.id === providerId);

  const reprobe = async () => {
    probing.value = true;
    probeError.value = "";
    try {
      await providers.reprobe(providerId);
    } catch (e) {
      probeError.value = errorMessage(e);
    } finally {
      probing.value = false;
    }
  };

  return (
    <main class="page admin">
      <a
        class="back-link"
        href="/providers"
        onClick={(event) => {
          event.preventDefault();
          router.navigate("/providers");
        }}
      >
        ← Providers
      </a>
      <ErrorAlert text={providers.error.value} />
      {!list && !providers.error.value && <p class="muted">Loading…</p>}
      {list && !provider && <p role="alert">There is no provider “{providerId}”.</p>}
      {provider && (
        <>
          <h2>{provider.name} settings</h2>
          <section class="card settings-section" aria-labelledby="probe-title">
            <h3 id="probe-title">Installation</h3>
            <p>
              <span class={`pill ${provider.available ? "pill-running" : "pill-failed"}`}>
                {provider.available ? (provider.version ?? "installed") : "not installed"}
              </span>{" "}
              <span class="mono small wrap">
                {provider.available
                  ? provider.path
                  : provider.installHint
                    ? `Install: ${provider.installHint}`
                    : provider.command}
              </span>
            </p>
            {provider.error && <p class="muted small wrap">{provider.error}</p>}
            <div class="settings-actions">
              <span class="quiet" role="status">
                {probeError.value || `Checked ${new Date(provider.checkedAt).toLocaleTimeString()}`}
              </span>
              <button type="button" disabled={probing.value} onClick={() => void reprobe()}>
                {probing.value ? "Checking…" : "Check again"}
              </button>
            </div>
          </section>
          <ProviderSettingsForm provider={provider} />
        </>
      )}
    </main>
  );
}
