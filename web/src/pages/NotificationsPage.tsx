// Notification settings: push on this device (or notifications of this tab), the user's devices
// that get push, and which activities notify when (quiet hours); and, of this browser too, the
// keyboard settings.
import { useEffect } from "preact/hooks";
import { KeyboardSettings } from "../components/KeyboardSettings.tsx";
import { NotificationSettingsForm } from "../components/NotificationSettingsForm.tsx";
import { PushDevices } from "../components/PushDevices.tsx";
import { useStores } from "../stores.ts";

export function NotificationsPage() {
  const { push, notificationSettings } = useStores();
  useEffect(() => {
    void push.loadDevices();
    void notificationSettings.load();
  }, [push, notificationSettings]);
  return (
    <main class="page settings">
      <h2>Notifications</h2>
      <PushDevices />
      <NotificationSettingsForm />
      <KeyboardSettings />
    </main>
  );
}
