// Push on this device (subscribe or stop), the tab's own notifications for when push is off,
// and the user's devices that get push, each removable.
import { useStores } from "../stores.ts";
import { ErrorAlert } from "./ErrorAlert.tsx";
import { ago } from "./time.ts";

export function PushDevices() {
  const { push, prefs, clock } = useStores();
  const devices = push.devices.value;
  const now = clock.now.value;
  const busy = push.busy.value;
  return (
    <>
      <section class="card settings-section" aria-labelledby="push-here">
        <h3 id="push-here">This device</h3>
        {!push.supported && (
          <p class="muted">
            This browser cannot get push notifications (on an iPhone, add OpenDray to the home
            screen first).
          </p>
        )}
        {push.supported && push.enabled.value && (
          <div class="setting-row">
            <p>Push is on: sessions that need you notify this device, even with OpenDray closed.</p>
            <button type="button" disabled={busy} onClick={() => void push.disable()}>
              Turn off
            </button>
          </div>
        )}
        {push.supported && !push.enabled.value && (
          <div class="setting-row">
            <p class="muted">Get notified on this device, even with OpenDray closed.</p>
            <button
              type="button"
              class="primary"
              disabled={busy}
              onClick={() => void push.enable()}
            >
              Push on this device
            </button>
          </div>
        )}
        <ErrorAlert text={push.error.value} />
        {"Notification" in window && (
          <label class="check">
            <input
              type="checkbox"
              checked={prefs.notify.value}
              onChange={(event) =>
                void (event.currentTarget.checked
                  ? prefs.enableNotifications()
                  : prefs.disableNotifications())
              }
            />
            Notify in this tab while it is open
            {push.enabled.value && prefs.notify.value ? " (push shows them instead)" : ""}
          </label>
        )}
      </section>
      <section class="card settings-section" aria-labelledby="push-devices">
        <h3 id="push-devices">Devices with push</h3>
        {devices === null && !push.error.value && <p class="muted">Loading…</p>}
        {devices?.length === 0 && <p class="muted">None yet.</p>}
        {devices && devices.length > 0 && (
          <ul class="device-list">
            {devices.map((device) => (
              <li key={device.id} class="setting-row">
                <span class="device">
                  <strong>
                    {device.label || "A browser"}
                    {device.id === push.thisDevice.value ? " (this device)" : ""}
                  </strong>
                  <span class="quiet">
                    {device.host} · added {ago(device.createdAt, now)} ago ·{" "}
                    {device.lastSuccessAt
                      ? `last delivered ${ago(device.lastSuccessAt, now)} ago`
                      : "nothing delivered yet"}
                  </span>
                </span>
                <button
                  type="button"
                  class="danger-text"
                  disabled={busy}
                  onClick={() => void push.remove(device.id)}
                >
                  Remove
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
