// Find in the terminal's scrollback on a phone (the header's Find field is a desktop's): the
// query, previous and next match, and where the selected match is among all ("3 of 12").
import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import type { TerminalController } from "../terminal/terminal-controller.ts";

/** "3 of 12", "no matches", or "1000+ matches" past the highlight limit. */
export function matchCount(results: { index: number; count: number } | null): string {
  if (!results) return "";
  if (results.count === 0) return "no matches";
  if (results.index < 0) return `${results.count}+ matches`;
  return `${results.index + 1} of ${results.count}`;
}

export function FindBar({
  terminal,
  onClose,
}: {
  terminal: TerminalController;
  onClose: () => void;
}) {
  const text = useSignal("");
  const box = useRef<HTMLInputElement>(null);
  useEffect(() => {
    box.current?.focus();
    return () => terminal.clearFind();
  }, [terminal]);
  const find = (backwards: boolean) => {
    if (text.value) void terminal.find(text.value, backwards);
  };
  return (
    <form
      class="find-bar"
      aria-label="Find"
      onSubmit={(event) => {
        event.preventDefault();
        find(false);
      }}
    >
      <input
        type="search"
        aria-label="Find in terminal"
        placeholder="Find"
        enterKeyHint="search"
        value={text.value}
        onInput={(event) => {
          text.value = event.currentTarget.value;
        }}
        ref={box}
      />
      <span class="find-count quiet" role="status">
        {matchCount(terminal.findResults.value)}
      </span>
      <button type="button" aria-label="Previous match" onClick={() => find(true)}>
        ↑
      </button>
      <button type="submit" aria-label="Next match">
        ↓
      </button>
      <button type="button" aria-label="Close find" onClick={onClose}>
        ✕
      </button>
    </form>
  );
}
