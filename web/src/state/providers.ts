// Providers (availability, version, enabled, settings) for the new-session dialog, the providers
// page and each provider's settings page. Every answer of the API replaces the one entry it names.
import { signal } from "@preact/signals";
import {
  type ApiClient,
  errorMessage,
  type Provider,
  type ProviderSettingsPatch,
} from "../api/http.ts";

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
        error.value = errorMessage(e);
      })
      .finally(() => {
        loading = undefined;
      });
    return loading;
  };
  const replace = (updated: Provider) => {
    providers.value = (providers.value ?? []).map((p) => (p.id === updated.id ? updated : p));
    return updated;
  };
  return {
    providers,
    error,
    /** Load once; later calls reuse the list unless `refresh`. */
    ensure: () => (providers.value ? Promise.resolve() : load()),
    refresh: load,
    async setEnabled(id: string, enabled: boolean) {
      replace(await api.setProviderEnabled(id, enabled));
    },
    /** Save settings; rejects with the API's ApiError (e.g. 400 config_invalid) and keeps the old. */
    update: async (id: string, patch: ProviderSettingsPatch) =>
      replace(await api.updateProvider(id, patch)),
    /** Look for the executable again (after installing it on the server). */
    reprobe: async (id: string) => replace(await api.reprobeProvider(id)),
  };
}

export type ProvidersStore = ReturnType<typeof createProvidersStore>;
