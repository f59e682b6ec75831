// A modal <dialog> (focus trapped by the browser, Esc closes), and a confirmation built on it.
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";

/** A ref for a <dialog> that is shown modal once mounted. */
function useModal() {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  return ref;
}

export function Dialog(props: { title: string; onClose: () => void; children: ComponentChildren }) {
  const ref = useModal();
  return (
    <dialog ref={ref} class="card dialog" aria-label={props.title} onClose={props.onClose}>
      <h2>{props.title}</h2>
      {props.children}
    </dialog>
  );
}

/** A dialog as tall as its content up to the screen's, its body scrolling (files, changes, replay). */
export function PanelDialog(props: {
  label: string;
  class: string;
  onClose: () => void;
  testId?: string;
  children: ComponentChildren;
}) {
  const ref = useModal();
  return (
    <dialog
      ref={ref}
      class={`card dialog panel-dialog ${props.class}`}
      aria-label={props.label}
      onClose={props.onClose}
      data-testid={props.testId}
    >
      {props.children}
    </dialog>
  );
}

/** A form's Cancel (or Close) and its submit button, last in a dialog. */
export function DialogActions(props: {
  cancel?: string;
  onCancel: () => void;
  submit: string;
  disabled?: boolean;
}) {
  return (
    <div class="dialog-actions">
      <button type="button" onClick={props.onCancel}>
        {props.cancel ?? "Cancel"}
      </button>
      <button type="submit" class="primary" disabled={props.disabled}>
        {props.submit}
      </button>
    </div>
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
        <DialogActions onCancel={props.onClose} submit={props.action} />
      </form>
    </Dialog>
  );
}
