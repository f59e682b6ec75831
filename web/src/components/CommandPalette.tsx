// The command palette: a modal dialog with a combobox over a listbox of sessions and actions,
// filtered by what is typed (every word must match). Up/Down (Home/End with Ctrl) move the
// active option, Enter runs it, Esc closes; either way the focus goes back where it was.
import { useSignal } from "@preact/signals";
import type { TargetedKeyboardEvent } from "preact";
import { useEffect, useRef } from "preact/hooks";

export interface PaletteItem {
  id: string;
  label: string;
  /** Shown after the label, and searched too (the session's provider and folder). */
  hint?: string;
  /** The shortcut that does the same. */
  keys?: string;
  run: () => void;
}

/** The items whose label and hint hold every word of `query`, in their order. */
export function filterItems(items: readonly PaletteItem[], query: string): PaletteItem[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return items.filter((item) => {
    const text = `${item.label} ${item.hint ?? ""}`.toLowerCase();
    return words.every((word) => text.includes(word));
  });
}

export function CommandPalette(props: { items: PaletteItem[]; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const query = useSignal("");
  const active = useSignal(0);
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);

  const shown = filterItems(props.items, query.value);
  const index = Math.min(active.value, shown.length - 1);
  const optionId = (item: PaletteItem) => `palette-option-${item.id}`;
  /** Out of the modal state at once: the page is inert until then, and takes no focus. */
  const close = () => {
    dialog.current?.close();
    props.onClose();
  };
  const choose = (item: PaletteItem | undefined) => {
    if (!item) return;
    // Closed first, so that the focus is back before the action moves it (Find, the list).
    close();
    item.run();
  };
  const move = (to: number) => {
    if (shown.length === 0) return;
    active.value = (to + shown.length) % shown.length;
    const item = shown[active.value];
    if (item) document.getElementById(optionId(item))?.scrollIntoView({ block: "nearest" });
  };
  const onKeyDown = (event: TargetedKeyboardEvent<HTMLInputElement>) => {
    const step: Record<string, number> = { ArrowDown: index + 1, ArrowUp: index - 1 };
    if (event.key in step) move(step[event.key] ?? 0);
    else if (event.ctrlKey && event.key === "Home") move(0);
    else if (event.ctrlKey && event.key === "End") move(shown.length - 1);
    else if (event.key === "Enter") choose(shown[index]);
    else return;
    event.preventDefault();
  };

  return (
    <dialog
      ref={dialog}
      class="card palette"
      aria-label="Command palette"
      onCancel={(event) => {
        event.preventDefault();
        close();
      }}
    >
      <input
        type="text"
        role="combobox"
        aria-label="Search sessions and actions"
        aria-expanded="true"
        aria-controls="palette-options"
        aria-autocomplete="list"
        aria-activedescendant={shown[index] ? optionId(shown[index]) : undefined}
        placeholder="Go to a session or run an action…"
        autocomplete="off"
        spellcheck={false}
        value={query.value}
        onInput={(event) => {
          query.value = event.currentTarget.value;
          active.value = 0;
        }}
        onKeyDown={onKeyDown}
      />
      <div id="palette-options" role="listbox" aria-label="Sessions and actions">
        {shown.map((item, i) => (
          // biome-ignore lint/a11y/useKeyWithClickEvents: the combobox has the keys (aria-activedescendant).
          <div
            key={item.id}
            id={optionId(item)}
            role="option"
            tabIndex={-1}
            aria-selected={i === index}
            onMouseDown={(event) => event.preventDefault()}
            onClick={() => choose(item)}
            onMouseMove={() => {
              if (active.value !== i) active.value = i;
            }}
          >
            <span class="palette-label">{item.label}</span>
            {item.hint && <span class="palette-hint">{item.hint}</span>}
            {item.keys && <kbd>{item.keys}</kbd>}
          </div>
        ))}
      </div>
      {shown.length === 0 && (
        <p class="muted palette-empty" role="status">
          Nothing matches.
        </p>
      )}
    </dialog>
  );
}
