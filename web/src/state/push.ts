// Web Push for the signed-in user: subscribing this browser (the server's VAPID key, the
// browser's push service, then the server told, with a name for the device), the user's
// devices, and removing one. While this device gets push, the tab shows no notifications of
// its own: the service worker shows them.
import { signal } from "@preact/signals";
import type { PushSubscriptionInfo } from "../../../src/protocol/push.ts";
import { type ApiClient, ApiError, errorMessage } from "../api/http.ts";
import { browserPush, type PushPort } from "../api/service-worker.ts";
import { deviceLabel } from "./device-label.ts";
import type { PrefsStore } from "./prefs.ts";
import { createSubmission } from "./submission.ts";

export function createPushStore(api: ApiClient, prefs: PrefsStore, port: PushPort = browserPush) {
  /** This browser is subscribed and the server has it (as `prefs.pushDevice`). */
  const enabled = signal(false);
  const { busy, error, run: act } = createSubmission();
  /** The user's devices; null until loaded. */
  const devices = signal<PushSubscriptionInfo[] | null>(null);

  const forget = async () => {
    prefs.pushDevice.value = null;
    enabled.value = false;
    await port.unsubscribe().catch(() => undefined);
  };
  const remove = (id: string) =>
    act(async () => {
      // Gone already (404) is as good as removed.
      await api.removePushSubscription(id).catch((e: unknown) => {
        if (!(e instanceof ApiError && e.status === 404)) throw e;
      });
      devices.value = devices.value?.filter((d) => d.id !== id) ?? null;
      if (id === prefs.pushDevice.value) await forget();
    });

  return {
    supported: port.supported,
    enabled,
    busy,
    error,
    devices,
    thisDevice: prefs.pushDevice,
    async init() {
      const subscription = await port.current().catch(() => null);
      enabled.value = subscription !== null && prefs.pushDevice.value !== null;
    },
    async loadDevices() {
      try {
        devices.value = await api.pushSubscriptions();
      } catch (e) {
        error.value = errorMessage(e);
        return;
      }
      // Removed elsewhere (or expired at the push service): push no longer comes here.
      if (enabled.value && !devices.value.some((d) => d.id === prefs.pushDevice.value)) {
        await forget();
      }
    },
    enable: () =>
      act(async () => {
        const { publicKey } = await api.pushKey();
        const { endpoint, keys } = await port.subscribe(publicKey).catch((e: unknown) => {
          throw new Error(`This browser could not subscribe: ${errorMessage(e)}`);
        });
        if (!endpoint || !keys?.p256dh || !keys.auth) {
          throw new Error("The browser gave an incomplete push subscription.");
        }
        const label = deviceLabel(navigator.userAgent);
        const info = await api
          .addPushSubscription({ endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth }, label })
          .catch(async (e: unknown) => {
            await port.unsubscribe().catch(() => undefined);
            throw e;
          });
        prefs.pushDevice.value = info.id;
        enabled.value = true;
        devices.value = [...(devices.value ?? []).filter((d) => d.id !== info.id), info];
      }),
    /** Stop push here: the server forgets this device, the browser its subscription. */
    disable: () => (prefs.pushDevice.value ? remove(prefs.pushDevice.value) : act(forget)),
    remove,
  };
}

export type PushStore = ReturnType<typeof createPushStore>;
