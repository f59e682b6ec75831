// A button that opens the file chooser (on phones it also offers the camera and the gallery) and
// uploads what was chosen into the session. A click is what lets the page open the chooser.
import { useRef } from "preact/hooks";
import { useStores } from "../stores.ts";

export interface UploadButtonProps {
  sessionId: string;
  /** The button's class (the key bar's keys are "key"). */
  class?: string;
  label?: string;
}

export function UploadButton({ sessionId, class: className, label = "Upload" }: UploadButtonProps) {
  const { uploads } = useStores();
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button
        type="button"
        class={className}
        title="Upload files into the session"
        aria-label="Upload files"
        onClick={() => input.current?.click()}
      >
        {label}
      </button>
      <input
        ref={input}
        type="file"
        multiple
        accept="*/*"
        hidden
        data-testid="upload-input"
        onChange={(event) => {
          const files = [...(event.currentTarget.files ?? [])];
          event.currentTarget.value = "";
          if (files.length > 0) void uploads.upload(sessionId, files);
        }}
      />
    </>
  );
}
