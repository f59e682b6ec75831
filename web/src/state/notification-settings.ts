// The user's notification settings (which activities notify, quiet hours), kept by the server
// for push and applied here too, to the notifications this tab shows itself.
import {
  inQuietHours,
  type NotificationSettings,
  type NotifyActivity,
} from "../../../src/protocol/push.ts";
import type { ApiClient } from "../api/http.ts";
import { createLoadable } from "./loadable.ts";

/** This browser's time zone (IANA), the default of new quiet hours. */
export const localTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

export function createNotificationSettingsStore(api: ApiClient) {
  /** `settings`: null until loaded (or when the server has none to give). */
  const loaded = createLoadable("settings", () => api.notificationSettings());
  const { settings } = loaded;
  return {
    ...loaded,
    async save(next: NotificationSettings) {
      settings.value = await api.saveNotificationSettings(next);
    },
    /** Whether a notification of `kind` may show at `at` (before the settings load: yes). */
    allows(kind: NotifyActivity, at: Date): boolean {
      const current = settings.value;
      if (!current) return true;
      if (!current.activities.includes(kind)) return false;
      return !current.quietHours || !inQuietHours(current.quietHours, at);
    },
  };
}

export type NotificationSettingsStore = ReturnType<typeof createNotificationSettingsStore>;
