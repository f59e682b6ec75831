// The form of a settings, users or account page: no browser validation (the server's answer
// names what is wrong), submitting hands the form to `onSubmit`, and any input calls `onInput`
// (to clear an outcome that no longer applies).
import type { ComponentChildren } from "preact";

export function AdminForm(props: {
  label?: string;
  onSubmit: (form: HTMLFormElement) => unknown;
  onInput: () => void;
  children: ComponentChildren;
}) {
  return (
    <form
      class="admin-form"
      aria-label={props.label}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void props.onSubmit(event.currentTarget);
      }}
      onInput={props.onInput}
    >
      {props.children}
    </form>
  );
}
