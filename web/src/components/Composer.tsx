// A text box for phone keyboards (IME, voice input, autocorrect work here, unlike in the
// terminal): the text goes to the program as one bracketed paste, then Enter. The text is the
// session's draft (state/drafts.ts): kept across reloads and sign-ins until sent.
import { useEffect, useRef } from "preact/hooks";
import { useStores } from "../stores.ts";
import type { TerminalController } from "../terminal/terminal-controller.ts";

export function Composer({
  terminal,
  onClose,
}: {
  terminal: TerminalController;
  onClose: () => void;
}) {
  const { drafts } = useStores();
  const id = terminal.sessionId;
  const draft = drafts.get(id);
  const box = useRef<HTMLTextAreaElement>(null);
  // Opened for rescued keys, it must not take the focus from where the user may still type.
  useEffect(() => {
    if (!draft.rescued) box.current?.focus();
  }, []);
  const send = (withEnter: boolean) => {
    terminal.paste(draft.text);
    if (withEnter) terminal.press("enter");
    drafts.clear(id);
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
        value={draft.text}
        onInput={(event) => drafts.set(id, event.currentTarget.value)}
        ref={box}
      />
      {draft.rescued && (
        <p class="composer-note" role="status">
          Typed while the connection was down and not sent: check it, then Send.
        </p>
      )}
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
