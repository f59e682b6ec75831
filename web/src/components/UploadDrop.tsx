// Uploads into the open session from the terminal area: files dropped on it (an overlay names the
// folder while they hover), files or images pasted into the terminal (text pastes are left to the
// terminal), and the list of uploads in flight or just done. The server types each path in.
import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import type { Session } from "../../../src/protocol/session.ts";
import { DEFAULT_UPLOAD_DIR } from "../../../src/protocol/uploads.ts";
import { useStores } from "../stores.ts";
import { UploadList } from "./UploadList.tsx";

/** A pasted clipboard image usually comes unnamed ("image.png" at best): give it a name. */
function named(file: File): File {
  if (file.name) return file;
  const ext = file.type.startsWith("image/") ? `.${file.type.slice(6).replace(/\W.*$/, "")}` : "";
  return new File([file], `pasted${ext}`, { type: file.type });
}

const hasFiles = (event: DragEvent) => event.dataTransfer?.types.includes("Files") === true;

export function UploadDrop({ session }: { session: Session }) {
  const { uploads } = useStores();
  const layer = useRef<HTMLDivElement>(null);
  const dragging = useSignal(false);
  const id = session.id;

  useEffect(() => {
    const area = layer.current?.parentElement;
    if (!area) return;
    const send = (files: File[]) => {
      if (files.length > 0) void uploads.upload(id, files.map(named));
    };
    const over = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = "copy";
      dragging.value = true;
    };
    const leave = (event: DragEvent) => {
      if (!area.contains(event.relatedTarget as Node | null)) dragging.value = false;
    };
    const drop = (event: DragEvent) => {
      dragging.value = false;
      if (!hasFiles(event)) return;
      event.preventDefault();
      send([...(event.dataTransfer?.files ?? [])]);
    };
    // Capture: the terminal's own paste handler must not see a paste of files.
    const paste = (event: ClipboardEvent) => {
      const files = [...(event.clipboardData?.files ?? [])];
      if (files.length === 0) return;
      event.preventDefault();
      event.stopPropagation();
      send(files);
    };
    area.addEventListener("dragenter", over);
    area.addEventListener("dragover", over);
    area.addEventListener("dragleave", leave);
    area.addEventListener("drop", drop);
    area.addEventListener("paste", paste, true);
    return () => {
      area.removeEventListener("dragenter", over);
      area.removeEventListener("dragover", over);
      area.removeEventListener("dragleave", leave);
      area.removeEventListener("drop", drop);
      area.removeEventListener("paste", paste, true);
    };
  }, [id, uploads]);

  return (
    <div class="upload-layer" ref={layer}>
      {dragging.value && (
        <div class="upload-drop" data-testid="upload-drop">
          Drop to upload into {session.cwd.replace(/\/$/, "")}/{DEFAULT_UPLOAD_DIR}
        </div>
      )}
      <UploadList sessionId={id} />
    </div>
  );
}
