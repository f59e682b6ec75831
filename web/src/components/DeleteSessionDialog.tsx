// Deleting a session that runs in a git worktree: keep the worktree (and its branch), or remove
// it too. The server refuses the removal while the worktree holds uncommitted work; its message
// is shown here and nothing is deleted.
import { useSignal } from "@preact/signals";
import type { Session, SessionWorktree } from "../../../src/protocol/session.ts";
import type { SessionDeleted } from "../../../src/protocol/session-requests.ts";
import { Dialog } from "./Dialog.tsx";
import { useSubmission } from "./submission.ts";

export interface DeleteSessionDialogProps {
  session: Session & { worktree: SessionWorktree };
  title: string;
  live: boolean;
  remove: (worktree: "keep" | "remove") => Promise<SessionDeleted | undefined>;
  /** After a deletion: what became of the worktree, in words. */
  onDeleted: (message: string) => void;
  onClose: () => void;
}

export function DeleteSessionDialog(props: DeleteSessionDialogProps) {
  const { busy, error, run } = useSubmission();
  const choice = useSignal<"keep" | "remove" | null>(null);
  const { worktree } = props.session;
  const act = (mode: "keep" | "remove") => {
    choice.value = mode;
    void run(async () => {
      const deleted = await props.remove(mode);
      props.onDeleted(deleted?.worktree.message ?? "");
      props.onClose();
    });
  };
  return (
    <Dialog title="Delete session?" onClose={props.onClose}>
      <p>
        {props.title} and its scrollback will be gone{props.live ? "; it is stopped first" : ""}. It
        runs in the git worktree <code>{worktree.path}</code> on branch{" "}
        <code>{worktree.branch}</code>.
      </p>
      <p class="muted">
        Removing the worktree is refused while it holds uncommitted changes or untracked files; its
        branch is deleted only if it is merged.
      </p>
      {error.value && (
        <p class="error" role="alert" data-testid="delete-error">
          {error.value}
        </p>
      )}
      <div class="dialog-actions wrap">
        <button type="button" onClick={props.onClose}>
          Cancel
        </button>
        <button type="button" class="primary" disabled={busy.value} onClick={() => act("keep")}>
          {busy.value && choice.value === "keep" ? "Deleting…" : "Delete session, keep worktree"}
        </button>
        <button type="button" class="danger" disabled={busy.value} onClick={() => act("remove")}>
          {busy.value && choice.value === "remove"
            ? "Removing…"
            : "Delete session and remove worktree"}
        </button>
      </div>
    </Dialog>
  );
}
