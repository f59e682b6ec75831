// The screen-reader setting of this browser's terminals (xterm's screen-reader mode): a toggle
// button, pressed while on; every open terminal follows it at once.
import { useStores } from "../stores.ts";

export function ScreenReaderToggle() {
  const { prefs } = useStores();
  const on = prefs.screenReader.value;
  return (
    <button
      type="button"
      class="sr-toggle"
      aria-pressed={on}
      title={on ? "Screen-reader mode is on" : "Screen-reader mode is off"}
      onClick={() => (prefs.screenReader.value = !on)}
    >
      Screen reader
    </button>
  );
}
