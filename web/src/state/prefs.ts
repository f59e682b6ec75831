// Preferences of this browser, kept in localStorage: terminal font size, screen-reader mode,
// what Ctrl+V does, notifications opt-in, the terminals left open as tabs, and which push
// subscription of the server is this browser's.
import { effect, signal } from "@preact/signals";
import type { CtrlVMode } from "../terminal/keys.ts";

export const FONT_SIZES = { min: 9, max: 28, default: 14 } as const;

function stored<T>(key: string, fallback: T) {
  let initial = fallback;
  try {
    const raw = localStorage.getItem(key);
    if (raw !== null) initial = JSON.parse(raw) as T;
  } catch {}
  const value = signal<T>(initial);
  effect(() => {
    try {
      localStorage.setItem(key, JSON.stringify(value.value));
    } catch {}
  });
  return value;
}

export function createPrefsStore() {
  const fontSize = stored<number>(
    "opendray.fontSize",
    // The phone layout (styles.css): a narrow screen, or a phone held sideways.
    matchMedia("(max-width: 700px), (pointer: coarse) and (max-height: 500px)").matches
      ? 12
      : FONT_SIZES.default,
  );
  const notify = stored<boolean>("opendray.notify", false);
  const tabs = stored<string[]>("opendray.tabs", []);
  /** The id the server gave this browser's push subscription; null: none was registered. */
  const pushDevice = stored<string | null>("opendray.pushDevice", null);
  /** What Ctrl+V does in a terminal (see CtrlVMode); pasting outside full-screen programs. */
  const ctrlV = stored<CtrlVMode>("opendray.ctrlV", "auto");
  /** xterm's screen-reader mode: the terminal's rows as an accessibility tree (costs speed). */
  const screenReader = stored<boolean>("opendray.screenReader", false);
  return {
    fontSize,
    notify,
    tabs,
    pushDevice,
    ctrlV,
    screenReader,
    changeFontSize(delta: number) {
      fontSize.value = Math.min(FONT_SIZES.max, Math.max(FONT_SIZES.min, fontSize.value + delta));
    },
    openTab(id: string) {
      if (!tabs.value.includes(id)) tabs.value = [...tabs.value, id];
    },
    closeTab(id: string) {
      tabs.value = tabs.value.filter((t) => t !== id);
    },
    async enableNotifications() {
      if (!("Notification" in window)) return false;
      const permission = await Notification.requestPermission();
      notify.value = permission === "granted";
      return notify.value;
    },
    disableNotifications() {
      notify.value = false;
    },
  };
}

export type PrefsStore = ReturnType<typeof createPrefsStore>;
