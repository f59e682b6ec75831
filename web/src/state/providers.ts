// Providers (availability, version, enabled) for the new-session dialog and the providers page.
import { signal } from "@preact/signals";
import type { ApiClient, Provider } from "../api/http.ts";

export function createProvidersStore(api: ApiClient) {
  const providers = signal<Provider[] | null>(null);
  const error = signal("");
  let loading: Promise<void> | undefined;
  const load = () => {
    loading ??= api
      .providers()
      .then((list) => {
        providers.value = list;
        error.value = "";
      })
      .catch((e: unknown) => {
        error.value = e instanceof Error ? e.message : String(e);
      })
      .finally(() => {
        loading = undefined;
      });
    return loading;
  };
  return {
    providers,
    error,
    /** Load once; later calls reuse the list unless `refresh`. */
    ensure: () => (providers.value ? Promise.resolve() : load()),
    refresh: load,
    async setEnabled(id: string, enabled: boolean) {
      const updated = await api.setProviderEnabled(id, enabled);
      providers.value = (providers.value ?? []).map((p) => (p.id === id ? updated : p));
    },
  };
}

export type ProvidersStore = ReturnType<typeof createProvidersStore>;
