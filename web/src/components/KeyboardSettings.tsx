// The keyboard settings of this browser: what Ctrl+V does in a terminal, and the shortcuts.
import { SHORTCUTS } from "../state/shortcuts.ts";
import { useStores } from "../stores.ts";
import { CTRL_V_MODES, type CtrlVMode } from "../terminal/keys.ts";

/** Keys of the terminal and the tabs themselves, beside the shortcuts. */
const TERMINAL_KEYS = [
  { keys: "Ctrl+Shift+C", label: "Copy the terminal's selection" },
  { keys: "Ctrl+Shift+V", label: "Paste into the terminal" },
  { keys: "Ctrl+V", label: "Paste, or send ^V: as set above" },
  { keys: "← → Home End", label: "On a tab: select another tab" },
  { keys: "Delete", label: "On a tab: close it" },
];

export function KeyboardSettings() {
  const { prefs } = useStores();
  return (
    <section class="card settings-section" id="keyboard" aria-labelledby="keyboard-title">
      <h3 id="keyboard-title">Keyboard</h3>
      <fieldset class="ctrl-v">
        <legend>Ctrl+V in a terminal (Ctrl+Shift+V always pastes; on macOS ⌘V does)</legend>
        {(Object.entries(CTRL_V_MODES) as [CtrlVMode, string][]).map(([mode, label]) => (
          <label key={mode} class="check">
            <input
              type="radio"
              name="ctrl-v"
              value={mode}
              checked={prefs.ctrlV.value === mode}
              onChange={() => {
                prefs.ctrlV.value = mode;
              }}
            />
            {label[0]?.toUpperCase()}
            {label.slice(1)}
            {mode === "auto" ? " (default): vim, less and other full-screen programs get ^V" : ""}
          </label>
        ))}
      </fieldset>
      <table class="shortcut-table">
        <caption>Shortcuts</caption>
        <tbody>
          {[...SHORTCUTS, ...TERMINAL_KEYS].map(({ keys, label }) => (
            <tr key={keys}>
              <th scope="row">
                <kbd>{keys}</kbd>
              </th>
              <td>{label}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
