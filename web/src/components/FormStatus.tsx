// A form's latest outcome beside its submit button ("Saving…", "Saved.", or what failed),
// announced by screen readers as a status; nothing while there is none.

export function FormStatus({ text, error = false }: { text: string; error?: boolean }) {
  if (!text) return null;
  return (
    <span class={error ? "error" : "quiet"} role="status">
      {text}
    </span>
  );
}
