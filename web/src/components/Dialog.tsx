// A modal <dialog> (focus trapped by the browser, Esc closes), and a confirmation built on it.
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";

export function Dialog(props: { title: string; onClose: () => void; children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  return (
    <dialog ref={ref} class="card dialog" aria-label={props.title} onClose={props.onClose}>
      <h2>{props.title}</h2>
      {props.children}
    </dialog>
  );
}

export interface ConfirmProps {
  title: string;
  body: string;
  action: string;
  danger?: boolean;
  onConfirm: () => void | Promise<void>;
  onClose: () => void;
}

export function ConfirmDialog(props: ConfirmProps) {
  return (
    <Dialog title={props.title} onClose={props.onClose}>
      <p>{props.body}</p>
      <form
        method="dialog"
        class="dialog-actions"
        onSubmit={(event) => {
          event.preventDefault();
          void Promise.resolve(props.onConfirm()).finally(props.onClose);
        }}
      >
        <button type="button" onClick={props.onClose}>
          Cancel
        </button>
        <button type="submit" class={props.danger ? "danger" : "primary"}>
          {props.action}
        </button>
      </form>
    </Dialog>
  );
}

export function PromptDialog(props: {
  title: string;
  label: string;
  value: string;
  action: string;
  onSubmit: (value: string) => void | Promise<void>;
  onClose: () => void;
}) {
  return (
    <Dialog title={props.title} onClose={props.onClose}>
      <form
        class="dialog-form"
        onSubmit={(event) => {
          event.preventDefault();
          const value = String(new FormData(event.currentTarget).get("value") ?? "");
          void Promise.resolve(props.onSubmit(value)).finally(props.onClose);
        }}
      >
        <label>
          {props.label}
          {/* defaultValue: a re-render (any session event) must not put back what was typed over. */}
          <input name="value" defaultValue={props.value} maxLength={200} />
        </label>
        <div class="dialog-actions">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" class="primary">
            {props.action}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
