// The phone key bar above the soft keyboard. The first keys (Esc, Tab, sticky Ctrl, Ctrl-C, up,
// down, the composer) always show; "More" opens the rest (Alt, left, right, Ctrl-D, PgUp, PgDn,
// Find, Paste, Upload, the Files and Changes panels, font size) in rows floating above the bar,
// which a wide screen shows in the bar at once (Files and Changes left out there: its session
// header shows them). Keys act on pointer-down without taking the
// focus, so the keyboard stays open (Upload, Files and Changes act on click: only a click may
// open the file chooser, and a panel takes the focus anyway).
import type { JSX } from "preact";
import type { TerminalController } from "../terminal/terminal-controller.ts";
import { UploadButton } from "./UploadButton.tsx";

interface KeyBarProps {
  terminal: TerminalController;
  onFontSize: (delta: number) => void;
  onComposer: () => void;
  onFind: () => void;
  /** Opens the session's Files panel. */
  onFiles: () => void;
  /** Opens the session's Changes panel. */
  onChanges: () => void;
  /** Whether the keys behind "More" show. */
  more: boolean;
  onMore: () => void;
}

interface KeyOptions {
  title?: string;
  pressed?: boolean;
  expanded?: boolean;
}

export function KeyBar(props: KeyBarProps) {
  const { terminal, onFontSize, onComposer, onFind, onFiles, onChanges, more, onMore } = props;
  const key = (label: string, action: () => void, options: KeyOptions = {}): JSX.Element => (
    <button
      type="button"
      class="key"
      title={options.title ?? label}
      aria-label={options.title ?? label}
      aria-pressed={options.pressed}
      aria-expanded={options.expanded}
      onPointerDown={(event) => {
        event.preventDefault();
        action();
      }}
      onKeyDown={(event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          action();
        }
      }}
    >
      {label}
    </button>
  );
  const paste = async () => {
    try {
      terminal.paste(await navigator.clipboard.readText());
    } catch {
      onComposer();
    }
  };
  return (
    <div class="key-bar" role="toolbar" aria-label="Terminal keys">
      {key("Esc", () => terminal.press("esc"))}
      {key("Tab", () => terminal.press("tab"))}
      {key("Ctrl", () => terminal.press("ctrl"), { pressed: terminal.ctrl.value })}
      {key("^C", () => terminal.press("ctrl-c"), { title: "Ctrl-C" })}
      {key("↑", () => terminal.press("up"), { title: "Up" })}
      {key("↓", () => terminal.press("down"), { title: "Down" })}
      {key("✎", onComposer, { title: "Compose" })}
      {key("⋯", onMore, { title: "More keys", expanded: more })}
      <div class="key-extras" data-open={more || undefined}>
        {key("Alt", () => terminal.press("alt"), { pressed: terminal.alt.value })}
        {key("←", () => terminal.press("left"), { title: "Left" })}
        {key("→", () => terminal.press("right"), { title: "Right" })}
        {key("^D", () => terminal.press("ctrl-d"), { title: "Ctrl-D" })}
        {key("PgUp", () => terminal.scrollback.page(-1), { title: "Page up" })}
        {key("PgDn", () => terminal.scrollback.page(1), { title: "Page down" })}
        {key("Find", onFind, { title: "Find" })}
        {key("Paste", () => void paste())}
        <UploadButton sessionId={terminal.sessionId} class="key" label="⇪" />
        <button
          type="button"
          class="key key-panel"
          title="Files"
          aria-label="Show files"
          onClick={onFiles}
        >
          Files
        </button>
        <button
          type="button"
          class="key key-panel"
          title="Changes"
          aria-label="Show changes"
          onClick={onChanges}
        >
          Diff
        </button>
        {key("A−", () => onFontSize(-1), { title: "Smaller text" })}
        {key("A+", () => onFontSize(1), { title: "Larger text" })}
      </div>
    </div>
  );
}
