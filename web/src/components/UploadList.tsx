// A session's uploads in flight or just done: each file's progress, then the path written (and
// whether it was typed into the session), or why it failed with a button to dismiss it.
import { useStores } from "../stores.ts";

export function UploadList({ sessionId }: { sessionId: string }) {
  const { uploads } = useStores();
  const items = uploads.items.value.filter((item) => item.sessionId === sessionId);
  if (items.length === 0) return null;
  return (
    <ul class="upload-list" role="status" aria-label="Uploads">
      {items.map((item) => (
        <li key={item.key} data-state={item.state}>
          <span class="upload-name">{item.name}</span>
          {item.state === "sending" && (
            <progress
              max={item.size || 1}
              value={item.sent}
              aria-label={`Uploading ${item.name}`}
            />
          )}
          {item.state === "done" && <span class="quiet">{item.detail}</span>}
          {item.state === "failed" && (
            <>
              <span class="error">{item.detail}</span>
              <button type="button" onClick={() => uploads.dismiss(item.key)} aria-label="Dismiss">
                ×
              </button>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}
