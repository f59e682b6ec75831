// Which activities notify (a session waiting for you, a turn done) and quiet hours (from, to,
// time zone), saved to the server, which applies them to push; this tab applies them too.
import { useSignal } from "@preact/signals";
import {
  NOTIFY_ACTIVITIES,
  type NotificationSettings,
  type NotifyActivity,
} from "../../../src/protocol/push.ts";
import { errorMessage } from "../api/http.ts";
import { localTimeZone } from "../state/notification-settings.ts";
import { useStores } from "../stores.ts";
import { FormStatus } from "./FormStatus.tsx";

const ACTIVITY_LABELS: Record<NotifyActivity, string> = {
  waiting: "A session waits for me (a question, a permission)",
  done: "A session's turn is done",
};

const DEFAULTS: NotificationSettings = { activities: [...NOTIFY_ACTIVITIES], quietHours: null };

function timeZones(current: string): string[] {
  const zones = Intl.supportedValuesOf("timeZone");
  return zones.includes(current) ? zones : [current, ...zones];
}

export function NotificationSettingsForm() {
  const { notificationSettings } = useStores();
  const loaded = notificationSettings.settings.value;
  return (
    <section class="card settings-section" aria-labelledby="notify-when">
      <h3 id="notify-when">Notify me when</h3>
      {notificationSettings.error.value && !loaded && (
        <p class="error" role="alert">
          {notificationSettings.error.value}
        </p>
      )}
      {/* Re-created once the server's settings arrive; from then on the form holds the edits. */}
      <SettingsForm key={loaded ? "loaded" : "defaults"} settings={loaded ?? DEFAULTS} />
    </section>
  );
}

function SettingsForm({ settings }: { settings: NotificationSettings }) {
  const { notificationSettings } = useStores();
  const quiet = settings.quietHours;
  const quietOn = useSignal(quiet !== null);
  const status = useSignal<{ error: boolean; text: string } | null>(null);
  const zone = quiet?.timeZone ?? localTimeZone();

  const save = async (form: HTMLFormElement) => {
    const data = new FormData(form);
    const next: NotificationSettings = {
      activities: NOTIFY_ACTIVITIES.filter((kind) => data.has(`activity-${kind}`)),
      quietHours: data.has("quiet")
        ? {
            start: String(data.get("start")),
            end: String(data.get("end")),
            timeZone: String(data.get("timeZone")),
          }
        : null,
    };
    status.value = { error: false, text: "Saving…" };
    try {
      await notificationSettings.save(next);
      status.value = { error: false, text: "Saved." };
    } catch (e) {
      status.value = { error: true, text: errorMessage(e) };
    }
  };

  return (
    <form
      class="settings-form"
      onSubmit={(event) => {
        event.preventDefault();
        void save(event.currentTarget);
      }}
      onInput={() => {
        status.value = null;
      }}
    >
      {NOTIFY_ACTIVITIES.map((kind) => (
        <label key={kind} class="check">
          <input
            type="checkbox"
            name={`activity-${kind}`}
            defaultChecked={settings.activities.includes(kind)}
          />
          {ACTIVITY_LABELS[kind]}
        </label>
      ))}
      <label class="check">
        <input
          type="checkbox"
          name="quiet"
          defaultChecked={quiet !== null}
          onChange={(event) => {
            quietOn.value = event.currentTarget.checked;
          }}
        />
        Quiet hours: no notifications
      </label>
      <fieldset class="quiet-hours" disabled={!quietOn.value}>
        <label>
          From
          <input type="time" name="start" defaultValue={quiet?.start ?? "22:00"} required />
        </label>
        <label>
          To
          <input type="time" name="end" defaultValue={quiet?.end ?? "07:00"} required />
        </label>
        <label class="zone">
          Time zone
          <select name="timeZone">
            {timeZones(zone).map((name) => (
              // `selected`, not a controlled value: a re-render keeps what the user picked.
              <option key={name} value={name} selected={name === zone}>
                {name}
              </option>
            ))}
          </select>
        </label>
      </fieldset>
      <div class="settings-actions">
        <FormStatus text={status.value?.text ?? ""} error={status.value?.error} />
        <button type="submit" class="primary">
          Save
        </button>
      </div>
    </form>
  );
}
