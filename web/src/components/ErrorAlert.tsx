// What failed, announced at once by screen readers; nothing while nothing has. `id` lets an input
// name it in aria-describedby.

export function ErrorAlert({ text, id }: { text: string | null | undefined; id?: string }) {
  if (!text) return null;
  return (
    <p id={id} class="error" role="alert">
      {text}
    </p>
  );
}
