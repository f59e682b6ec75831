// The phone key bar above the soft keyboard: Esc, Tab, sticky Ctrl and Alt, arrows, Ctrl-C,
// Ctrl-D, paste, font size and the text composer. Buttons act on pointer-down without taking
// the focus, so the keyboard stays open.
import type { JSX } from "preact";
import type { TerminalController } from "../terminal/terminal-controller.ts";

interface KeyBarProps {
  terminal: TerminalController;
  onFontSize: (delta: number) => void;
  onComposer: () => void;
}

export function KeyBar({ terminal, onFontSize, onComposer }: KeyBarProps) {
  const key = (
    label: string,
    action: () => void,
    extra: { title?: string; pressed?: boolean } = {},
  ): JSX.Element => (
    <button
      type="button"
      class="key"
      title={extra.title ?? label}
      aria-label={extra.title ?? label}
      aria-pressed={extra.pressed}
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
      {key("Alt", () => terminal.press("alt"), { pressed: terminal.alt.value })}
      {key("←", () => terminal.press("left"), { title: "Left" })}
      {key("↑", () => terminal.press("up"), { title: "Up" })}
      {key("↓", () => terminal.press("down"), { title: "Down" })}
      {key("→", () => terminal.press("right"), { title: "Right" })}
      {key("^C", () => terminal.press("ctrl-c"), { title: "Ctrl-C" })}
      {key("^D", () => terminal.press("ctrl-d"), { title: "Ctrl-D" })}
      {key("Paste", () => void paste())}
      {key("A−", () => onFontSize(-1), { title: "Smaller text" })}
      {key("A+", () => onFontSize(1), { title: "Larger text" })}
      {key("✎", onComposer, { title: "Compose" })}
    </div>
  );
}
