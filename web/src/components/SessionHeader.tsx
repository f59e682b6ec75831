// The active terminal's header: state, folder, its worktree's branch, connection status, size,
// find, font size, the screen-reader setting, its files and changes, and the session's actions
// (stop or restart; rename, share and delete under "⋯") for admins.
import type { Session } from "../../../src/protocol/session.ts";
import { isLive } from "../state/sessions.ts";
import type { TerminalController } from "../terminal/terminal-controller.ts";
import { Disclosure } from "./Disclosure.tsx";
import { matchCount } from "./FindBar.tsx";
import { ScreenReaderToggle } from "./ScreenReaderToggle.tsx";
import { StatePill } from "./StatePill.tsx";
import { UploadButton } from "./UploadButton.tsx";

export interface SessionHeaderProps {
  session: Session;
  terminal: TerminalController | undefined;
  /** What the terminal was opened to find (a search result): the find box starts with it. */
  find?: string | null;
  readOnly: boolean;
  now: number;
  onFontSize: (delta: number) => void;
  onRename: () => void;
  onStop: () => void;
  onRestart: () => void;
  onDelete: () => void;
  /** Opens the session's files (any role: reading them is allowed to viewers). */
  onFiles: () => void;
  /** Opens what changed in the session's git repository (any role, as the files). */
  onChanges: () => void;
  /** Opens the share dialog (admins). */
  onShare: () => void;
}

export function SessionHeader(props: SessionHeaderProps) {
  const { session, terminal, readOnly, now, onFontSize, onRename, onStop, onRestart, onDelete } =
    props;
  return (
    <div class="session-head">
      <StatePill session={session} now={now} />
      <span class="cwd" title={session.cwd}>
        {session.cwd}
      </span>
      {session.worktree && (
        <span
          class="quiet worktree-branch-label"
          data-testid="worktree-branch"
          title={`git worktree ${session.worktree.path}, from ${session.worktree.base.slice(0, 12)}`}
        >
          ⎇ {session.worktree.branch}
        </span>
      )}
      {terminal && terminal.status.value === "reconnecting" && (
        <span class="quiet" role="status">
          reconnecting…
        </span>
      )}
      {terminal && terminal.status.value === "connecting" && <span class="quiet">connecting…</span>}
      {terminal?.inputNotice.value && (
        <span class="quiet" role="status" data-testid="input-notice">
          {terminal.inputNotice.value}
        </span>
      )}
      {terminal?.size.value && (
        <span class="quiet size" data-testid="pty-size">
          {terminal.size.value.cols}×{terminal.size.value.rows}
        </span>
      )}
      {readOnly && <span class="quiet">read-only</span>}
      <span class="spacer" />
      {terminal && (
        <input
          type="search"
          class="find"
          placeholder="Find"
          aria-label="Find in terminal"
          key={props.find ?? ""}
          defaultValue={props.find ?? undefined}
          onKeyDown={(event) => {
            if (event.key !== "Enter") return;
            event.preventDefault();
            void terminal.find(event.currentTarget.value, event.shiftKey);
          }}
        />
      )}
      {terminal && (
        <span class="quiet find-count" role="status">
          {matchCount(terminal.findResults.value)}
        </span>
      )}
      <span class="font-size">
        <button
          type="button"
          title="Smaller text"
          aria-label="Smaller text"
          onClick={() => onFontSize(-1)}
        >
          A−
        </button>
        <button
          type="button"
          title="Larger text"
          aria-label="Larger text"
          onClick={() => onFontSize(1)}
        >
          A+
        </button>
      </span>
      <ScreenReaderToggle />
      <button type="button" class="files-button" onClick={() => props.onFiles()}>
        Files
      </button>
      <button type="button" class="files-button" onClick={() => props.onChanges()}>
        Changes
      </button>
      {!readOnly && (
        <span class="actions">
          <UploadButton sessionId={session.id} class="upload-button" />
          {isLive(session) ? (
            <button type="button" onClick={onStop}>
              Stop
            </button>
          ) : (
            <button type="button" onClick={onRestart}>
              Restart
            </button>
          )}
          <Disclosure
            class="session-menu"
            summary="⋯"
            summaryProps={{ "aria-label": "Session actions", title: "Session actions" }}
            listClass="session-menu-list"
            closeOn={session.id}
            closeOnChoice
          >
            <button type="button" onClick={() => onRename()}>
              Rename
            </button>
            <button type="button" class="share-button" onClick={() => props.onShare()}>
              Share
            </button>
            <button type="button" class="danger-text" onClick={onDelete}>
              Delete
            </button>
          </Disclosure>
        </span>
      )}
    </div>
  );
}
