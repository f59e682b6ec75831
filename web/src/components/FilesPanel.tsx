// The session's files in a dialog: a breadcrumb from the session's folder, the folder's entries
// with size and age (folders first, hidden ones dimmed), a text preview or an image of the file
// tapped, a download per file, and the folder as a .tar.gz. Read-only for viewers; admins may
// upload into the folder listed ("Upload here"), replacing same-named files only if they tick it.

import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { Session } from "../../../src/protocol/session.ts";
import { archiveUrl, type FileEntry, fileUrl, listFolder, previewFile } from "../api/files.ts";
import { childPath, createFilesBrowser, isFile, isFolder } from "../state/files.ts";
import { PanelDialog } from "./Dialog.tsx";
import { ErrorAlert } from "./ErrorAlert.tsx";
import { ago } from "./time.ts";
import { UploadButton } from "./UploadButton.tsx";
import { UploadList } from "./UploadList.tsx";

/** "1.5 MB"-style sizes, in powers of 1024. */
export function formatSize(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

const icon = (entry: FileEntry) =>
  isFolder(entry) ? "▸" : entry.kind === "symlink" ? "↪" : entry.kind === "other" ? "◇" : "";

export interface FilesPanelProps {
  session: Session;
  now: number;
  /** Whether the user may upload (admins). */
  canUpload: boolean;
  onClose: () => void;
}

export function FilesPanel(props: FilesPanelProps) {
  const { session, now, canUpload, onClose } = props;
  const [replace, setReplace] = useState(false);
  const files = useMemo(
    () =>
      createFilesBrowser({
        list: (path) => listFolder(session.id, path),
        preview: (path) => previewFile(session.id, path),
      }),
    [session.id],
  );
  useEffect(() => {
    void files.go("");
  }, [files]);

  const path = files.path.value;
  const segments = path ? path.split("/") : [];
  const rootName = session.cwd.split("/").filter(Boolean).pop() ?? "/";
  const opened = files.opened.value;
  const listing = files.listing.value;

  return (
    <PanelDialog label="Files" class="files-dialog" onClose={onClose}>
      <div class="files-head">
        <h2>Files</h2>
        <button type="button" class="files-close" aria-label="Close files" onClick={onClose}>
          ✕
        </button>
      </div>
      <nav class="files-crumbs" aria-label="Folder">
        <button type="button" onClick={() => void files.go("")} title={session.cwd}>
          {rootName}
        </button>
        {segments.map((segment, i) => (
          <span key={segments.slice(0, i + 1).join("/")}>
            <span class="files-sep">/</span>
            <button type="button" onClick={() => void files.go(segments.slice(0, i + 1).join("/"))}>
              {segment}
            </button>
          </span>
        ))}
      </nav>
      <ErrorAlert text={files.error.value} />
      {opened ? (
        <section class="files-opened" aria-label={opened.path}>
          <div class="files-opened-head">
            <button type="button" onClick={files.close}>
              ← Back
            </button>
            <span class="files-opened-name">{opened.path.split("/").pop()}</span>
            <a class="button" href={fileUrl(session.id, opened.path, true)} download>
              Download
            </a>
          </div>
          {opened.kind === "image" ? (
            <img class="files-image" src={fileUrl(session.id, opened.path)} alt={opened.path} />
          ) : (
            <>
              {opened.text.includes("\u0000") ? (
                <p class="muted" data-testid="file-preview">
                  This looks like a binary file: download it to open it.
                </p>
              ) : (
                <pre class="files-preview" data-testid="file-preview">
                  {opened.text}
                </pre>
              )}
              {opened.truncated && (
                <p class="muted">
                  Only the first 256 KiB are shown.{" "}
                  <a href={fileUrl(session.id, opened.path, true)} download>
                    Download the whole file
                  </a>
                </p>
              )}
            </>
          )}
        </section>
      ) : (
        <>
          <ul class="files-list" aria-busy={files.busy.value}>
            {listing?.entries.map((entry) => (
              <li key={entry.name} class={entry.hidden ? "hidden-file" : undefined}>
                {isFolder(entry) || isFile(entry) ? (
                  <button
                    type="button"
                    class="list-entry files-entry"
                    onClick={() => void files.open(entry)}
                  >
                    <span aria-hidden="true">{icon(entry)}</span>
                    <span class="files-name">{entry.name}</span>
                  </button>
                ) : (
                  <span
                    class="list-entry files-entry"
                    title={entry.target?.inside === false ? "points outside the folder" : undefined}
                  >
                    <span aria-hidden="true">{icon(entry)}</span>
                    <span class="files-name">{entry.name}</span>
                  </span>
                )}
                <span class="files-meta">
                  {isFolder(entry) ? "" : `${formatSize(entry.size)} · `}
                  {ago(entry.modifiedAt, now)}
                </span>
                {isFile(entry) && (
                  <a
                    class="files-download"
                    href={fileUrl(session.id, childPath(path, entry.name), true)}
                    download
                    aria-label={`Download ${entry.name}`}
                    title={`Download ${entry.name}`}
                  >
                    ⤓
                  </a>
                )}
              </li>
            ))}
            {listing?.entries.length === 0 && <li class="muted">This folder is empty.</li>}
          </ul>
          {listing?.truncated && (
            <p class="muted">Only the first {listing.entries.length} entries are shown.</p>
          )}
          {canUpload && <UploadList sessionId={session.id} />}
          <div class={canUpload ? "dialog-actions files-actions" : "dialog-actions"}>
            {canUpload && (
              <>
                <UploadButton
                  sessionId={session.id}
                  label="Upload here"
                  name="Upload here"
                  title={`Upload files into ${path || rootName}`}
                  options={() => ({ dir: path, overwrite: replace })}
                  // The new files show in the folder, if it is still the one listed.
                  onDone={() => {
                    if (files.path.value === path && !files.opened.value) void files.go(path);
                  }}
                />
                <label class="check files-replace">
                  <input
                    type="checkbox"
                    checked={replace}
                    onChange={(event) => setReplace(event.currentTarget.checked)}
                  />
                  Replace a file with the same name
                </label>
                <span class="spacer" />
              </>
            )}
            <a class="button" href={archiveUrl(session.id, path)} download>
              Download folder (.tar.gz)
            </a>
          </div>
        </>
      )}
    </PanelDialog>
  );
}
