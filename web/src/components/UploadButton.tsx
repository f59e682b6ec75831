// A button that opens the file chooser (on phones it also offers the camera and the gallery) and
// uploads what was chosen into the session: into its upload folder, or the folder and with the
// replace choice given. A click is what lets the page open the chooser.
import { useRef } from "preact/hooks";
import type { UploadOptions } from "../api/uploads.ts";
import { useStores } from "../stores.ts";

export interface UploadButtonProps {
  sessionId: string;
  /** The button's class (the key bar's keys are "key"). */
  class?: string;
  label?: string;
  /** Its accessible name and tooltip. */
  name?: string;
  title?: string;
  /** Where the files go and whether they replace same-named ones (read when they are chosen). */
  options?: () => UploadOptions;
  /** Called once every chosen file is uploaded or has failed. */
  onDone?: () => void;
}

export function UploadButton({
  sessionId,
  class: className,
  label = "Upload",
  name = "Upload files",
  title = "Upload files into the session",
  options,
  onDone,
}: UploadButtonProps) {
  const { uploads } = useStores();
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button
        type="button"
        class={className}
        title={title}
        aria-label={name}
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
          if (files.length === 0) return;
          void uploads.upload(sessionId, files, options?.()).then(() => onDone?.());
        }}
      />
    </>
  );
}
