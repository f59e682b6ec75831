// A text box for phone keyboards (IME, voice input, autocorrect work here, unlike in the
// terminal): the text goes to the program as one bracketed paste, then Enter.
import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import type { TerminalController } from "../terminal/terminal-controller.ts";

export function Composer({
  terminal,
  onClose,
}: {
  terminal: TerminalController;
  onClose: () => void;
}) {
  const text = useSignal("");
  const box = useRef<HTMLTextAreaElement>(null);
  useEffect(() => box.current?.focus(), []);
  const send = (withEnter: boolean) => {
    terminal.paste(text.value);
    if (withEnter) terminal.press("enter");
    text.value = "";
  };
  return (
    <form
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        send(true);
      }}
    >
      <textarea
        aria-label="Compose text for the terminal"
        placeholder="Type or dictate, then Send"
        rows={2}
        value={text.value}
        onInput={(event) => {
          text.value = event.currentTarget.value;
        }}
        ref={box}
      />
      <div class="composer-actions">
        <button type="button" onClick={() => send(false)}>
          Paste
        </button>
        <button type="submit" class="primary">
          Send ⏎
        </button>
        <button type="button" onClick={onClose} aria-label="Close composer">
          ✕
        </button>
      </div>
    </form>
  );
}
