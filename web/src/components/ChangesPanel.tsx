// What changed in the session's folder, by git, in a dialog: where the repository stands, the
// changed files (git's status letter, staged or not, lines added and removed), then each file's
// diff drawn side by side (line by line on a phone) with its code highlighted, as it scrolls
// into view. Refreshed on demand and whenever the session comes to rest; binary and very large
// files are summarised with a download link. Read-only, for viewers too.

import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { Session } from "../../../src/protocol/session.ts";
import { type ChangedFile, fetchChanges } from "../api/changes.ts";
import { fileUrl } from "../api/files.ts";
import { LINE_PX } from "../diff/slice-diff.ts";
import { createChangesView, describeRepo, restKey, statusLetter } from "../state/changes.ts";
import { PanelDialog } from "./Dialog.tsx";
import { ErrorAlert } from "./ErrorAlert.tsx";

/** The app's phone layout (styles.css): diffs read line by line there. */
const PHONE_LAYOUT = "(max-width: 700px), (pointer: coarse) and (max-height: 500px)";

function usePhoneLayout(): boolean {
  const query = useMemo(() => matchMedia(PHONE_LAYOUT), []);
  const [phone, setPhone] = useState(query.matches);
  useEffect(() => {
    const changed = () => setPhone(query.matches);
    query.addEventListener("change", changed);
    return () => query.removeEventListener("change", changed);
  }, [query]);
  return phone;
}

/** How far outside the visible part of the list a diff is drawn ahead of the scroll. */
const DRAW_AHEAD = "800px 0px";

/**
 * One file's diff, drawn by diff2html (loaded on first use) once it comes near the visible part
 * of the list, so that a change set of many files costs only what is looked at; a large diff in
 * slices, each drawn as it comes near (render-diff.ts). `data-state` says when its first slice
 * is drawn.
 */
function DiffBlock({ diff, layout }: { diff: string; layout: "side-by-side" | "line-by-line" }) {
  const ref = useRef<HTMLDivElement>(null);
  const [failure, setFailure] = useState("");
  useEffect(() => {
    const target = ref.current;
    if (!target) return;
    let current = true;
    let stop = () => {};
    target.dataset.state = "waiting";
    const root = target.closest(".changes-body");
    // Its place is held at about its height (through the CSSOM: the CSP refuses style attributes).
    if (!target.firstChild) target.style.minHeight = `${diff.split("\n").length * LINE_PX}px`;
    const draw = () => {
      target.dataset.state = "drawing";
      import("../diff/render-diff.ts")
        .then(({ drawDiff }) => {
          if (!current) return;
          stop = drawDiff(target, diff, layout, root, DRAW_AHEAD).stop;
          target.style.minHeight = "";
          target.dataset.state = "drawn";
        })
        .catch((error: unknown) => {
          if (current) setFailure(`The diff could not be drawn: ${String(error)}`);
        });
    };
    const observer = new IntersectionObserver(
      (entries) => {
        if (!entries.some((entry) => entry.isIntersecting)) return;
        observer.disconnect();
        draw();
      },
      { root, rootMargin: DRAW_AHEAD },
    );
    observer.observe(target);
    return () => {
      current = false;
      observer.disconnect();
      stop();
    };
  }, [diff, layout]);
  return failure ? (
    <p class="error">{failure}</p>
  ) : (
    <div ref={ref} class="changes-diff" data-layout={layout} />
  );
}

const lines = (file: ChangedFile) => (file.additions ?? 0) + (file.deletions ?? 0);

function summary(file: ChangedFile): string {
  switch (file.summarised) {
    case "binary":
      return "Binary file: not shown.";
    case "too_large":
      return file.additions === null
        ? "Too large to show here."
        : `Too large to show here (${lines(file).toLocaleString("en")} changed lines).`;
    case "budget":
      return "Not shown: the files before it filled this view.";
    default:
      if (file.path.endsWith("/")) return "A repository of its own: not shown.";
      return file.kind === "untracked" || file.kind === "added"
        ? "Empty file."
        : "No change in the file's text.";
  }
}

const sides = (file: ChangedFile) =>
  file.kind === "untracked"
    ? "untracked"
    : [file.staged && "staged", file.unstaged && "unstaged"].filter(Boolean).join(", ");

export function ChangesPanel(props: { session: Session; onClose: () => void }) {
  const { session, onClose } = props;
  const view = useMemo(() => createChangesView(() => fetchChanges(session.id)), [session.id]);
  const phone = usePhoneLayout();
  const layout = phone ? "line-by-line" : "side-by-side";
  useEffect(() => {
    void view.refresh();
  }, [view]);
  // Refreshed each time the session comes to rest after working: never on a timer.
  const rest = restKey(session);
  const lastRest = useRef(rest);
  useEffect(() => {
    if (rest !== null && rest !== lastRest.current) void view.refresh();
    lastRest.current = rest;
  }, [rest, view]);

  const answer = view.changes.value;
  const files = answer?.files ?? [];
  const anchor = (i: number) => `change-${session.id}-${i}`;

  return (
    <PanelDialog label="Changes" class="changes-dialog" onClose={onClose}>
      <div class="changes-head">
        <h2>Changes</h2>
        <span class="spacer" />
        <button
          type="button"
          onClick={() => void view.refresh()}
          disabled={view.busy.value}
          aria-busy={view.busy.value}
        >
          {view.busy.value ? "Refreshing…" : "Refresh"}
        </button>
        <button type="button" class="changes-close" aria-label="Close changes" onClick={onClose}>
          ✕
        </button>
      </div>
      <ErrorAlert text={view.error.value} />
      {answer && (
        <p class="changes-repo" data-testid="repo-state">
          {describeRepo(answer.repo, files)}
          {answer.repo.kind === "repository" &&
            ` · ${files.length === 0 ? "no changes" : `${files.length} changed file${files.length === 1 ? "" : "s"}`}`}
        </p>
      )}
      <div class="changes-body">
        {files.length > 0 && (
          <ul class="changes-list" aria-label="Changed files">
            {files.map((file, i) => (
              <li key={file.path}>
                <button
                  type="button"
                  class="list-entry changes-entry"
                  onClick={() => document.getElementById(anchor(i))?.scrollIntoView()}
                >
                  <span class={`changes-letter kind-${file.kind}`} title={file.kind}>
                    {statusLetter(file)}
                  </span>
                  <span class="changes-path">
                    {file.oldPath ? `${file.oldPath} → ${file.path}` : file.path}
                  </span>
                </button>
                <span class="changes-sides">{sides(file)}</span>
                <span class="changes-counts">
                  {file.binary ? (
                    "binary"
                  ) : (
                    <>
                      <span class="plus">+{file.additions ?? 0}</span>{" "}
                      <span class="minus">−{file.deletions ?? 0}</span>
                    </>
                  )}
                </span>
              </li>
            ))}
          </ul>
        )}
        {answer?.truncated && <p class="muted">Only the first {files.length} files are listed.</p>}
        {files.map((file, i) => (
          <section key={file.path} id={anchor(i)} class="changes-file" aria-label={file.path}>
            {file.diff ? (
              <DiffBlock diff={file.diff} layout={layout} />
            ) : (
              <p class="changes-summary">
                <span class="changes-path">{file.path}</span> {summary(file)}{" "}
                {file.kind !== "deleted" && file.diff === null && file.summarised !== null && (
                  <a
                    href={fileUrl(session.id, file.path, true)}
                    download
                    aria-label={`Download ${file.path}`}
                  >
                    Download
                  </a>
                )}
              </p>
            )}
          </section>
        ))}
      </div>
    </PanelDialog>
  );
}
