// New session: provider (with its availability), working directory (the last one used, else
// the sessions' HOME; completed from the server's existing directories), name, extra arguments
// (an open quote is shown at once and keeps Start disabled), and the bypass toggle where the
// provider has one; optionally a new git worktree (on branch opendray/<name>) to run in, whose
// refusals (not a repository, branch taken, bad name) show under its field.
import { useSignal } from "@preact/signals";
import { useEffect, useMemo, useRef } from "preact/hooks";
import { ApiError, errorMessage } from "../api/http.ts";
import { createDirCompletion } from "../state/dir-completion.ts";
import { useStores } from "../stores.ts";
import { parseArgs } from "./args.ts";
import { Dialog, DialogActions } from "./Dialog.tsx";
import { useSubmission } from "./submission.ts";

const LAST_CWD_KEY = "opendray.lastCwd";

/** Refusals about the worktree asked for: shown under its field, not at the form's foot. */
const WORKTREE_CODES = new Set([
  "branch_invalid",
  "branch_exists",
  "worktree_exists",
  "not_a_git_repository",
  "no_commits",
  "git_failed",
]);
const isWorktreeRefusal = (e: unknown) => e instanceof ApiError && WORKTREE_CODES.has(e.code);

export function NewSessionDialog({ onClose }: { onClose: () => void }) {
  const { api, providers, sessions, prefs, router } = useStores();
  const completion = useMemo(() => createDirCompletion(api), [api]);
  const { busy, error, run } = useSubmission();
  const provider = useSignal("shell");
  const remembered = localStorage.getItem(LAST_CWD_KEY);
  const cwd = useSignal(remembered ?? "");
  /** The field was focused: the home folder, when it arrives, no longer replaces what is there. */
  const cwdTouched = useRef(false);
  const argsError = useSignal<string | null>(null);
  const inWorktree = useSignal(false);
  const worktreeError = useSignal("");
  useEffect(() => {
    void providers.ensure();
    return () => completion.dispose();
  }, [providers, completion]);
  useEffect(() => {
    if (remembered) return;
    void api.home().then(
      (home) => {
        if (!cwd.value && !cwdTouched.current) cwd.value = home;
      },
      () => {
        if (!cwd.value && !cwdTouched.current) cwd.value = "/";
      },
    );
  }, [api]);

  const list = providers.providers.value ?? [];
  const chosen = list.find((p) => p.id === provider.value);

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    worktreeError.value = "";
    void run(async () => {
      const name = String(form.get("name") ?? "").trim();
      const branch = String(form.get("branch") ?? "").trim();
      const parsed = parseArgs(String(form.get("args") ?? ""));
      if (parsed.error !== null) throw new Error(parsed.error);
      const { args } = parsed;
      const session = await sessions
        .create({
          provider: provider.value,
          cwd: cwd.value,
          ...(name ? { name } : {}),
          ...(args.length ? { args } : {}),
          ...(chosen?.bypass && form.get("bypass") === "on" ? { bypass: true } : {}),
          ...(inWorktree.value ? { worktree: branch || true } : {}),
        })
        .catch((e: unknown) => {
          if (isWorktreeRefusal(e)) worktreeError.value = errorMessage(e);
          throw e;
        });
      localStorage.setItem(LAST_CWD_KEY, cwd.value);
      prefs.openTab(session.id);
      router.navigate(`/s/${session.id}`);
      onClose();
    });
  };

  return (
    <Dialog title="New session" onClose={onClose}>
      <form class="dialog-form" onSubmit={submit}>
        <label>
          Provider
          <select
            name="provider"
            value={provider.value}
            onChange={(event) => {
              provider.value = event.currentTarget.value;
            }}
          >
            {list.length === 0 && <option value="shell">Shell</option>}
            {list.map((p) => (
              <option key={p.id} value={p.id} disabled={!p.available || !p.enabled}>
                {p.name}
                {p.available ? (p.version ? ` — ${p.version}` : "") : " — not installed"}
                {p.enabled ? "" : " (disabled)"}
              </option>
            ))}
          </select>
        </label>
        {chosen && !chosen.available && chosen.installHint && (
          <p class="muted">Install with: {chosen.installHint}</p>
        )}
        <label>
          Working directory
          <input
            name="cwd"
            list="cwd-completions"
            autocomplete="off"
            autocapitalize="off"
            spellcheck={false}
            required
            value={cwd.value}
            onInput={(event) => {
              cwd.value = event.currentTarget.value;
              void completion.complete(cwd.value);
            }}
            onFocus={() => {
              cwdTouched.current = true;
              void completion.complete(cwd.value);
            }}
          />
          <datalist id="cwd-completions">
            {completion.dirs.value.map((dir) => (
              <option key={dir} value={dir} />
            ))}
          </datalist>
        </label>
        <label>
          Name (optional)
          <input name="name" maxLength={200} autocomplete="off" />
        </label>
        <label>
          Extra arguments (optional)
          <input
            name="args"
            autocomplete="off"
            autocapitalize="off"
            spellcheck={false}
            placeholder='--model opus "quoted words"'
            aria-invalid={argsError.value !== null}
            aria-describedby={argsError.value ? "args-error" : undefined}
            onInput={(event) => {
              argsError.value = parseArgs(event.currentTarget.value).error;
            }}
          />
        </label>
        {argsError.value && (
          <p id="args-error" class="error field-error" role="alert">
            {argsError.value}
          </p>
        )}
        {chosen?.bypass && (
          <label class="check">
            <input type="checkbox" name="bypass" /> Skip permission prompts (bypass)
          </label>
        )}
        <label class="check">
          <input
            type="checkbox"
            name="worktree"
            checked={inWorktree.value}
            onChange={(event) => {
              inWorktree.value = event.currentTarget.checked;
              worktreeError.value = "";
            }}
          />{" "}
          Run in a new git worktree
        </label>
        {inWorktree.value && (
          <label class="worktree-branch">
            Branch name (optional): opendray/…
            <input
              name="branch"
              maxLength={100}
              autocomplete="off"
              autocapitalize="off"
              spellcheck={false}
              placeholder="named after the session"
              aria-invalid={worktreeError.value !== ""}
              aria-describedby={worktreeError.value ? "worktree-error" : undefined}
              onInput={() => {
                worktreeError.value = "";
              }}
            />
          </label>
        )}
        {worktreeError.value && (
          <p id="worktree-error" class="error field-error" role="alert">
            {worktreeError.value}
          </p>
        )}
        {error.value && !worktreeError.value && (
          <p class="error" role="alert">
            {error.value}
          </p>
        )}
        <DialogActions
          onCancel={onClose}
          submit={busy.value ? "Starting…" : "Start"}
          disabled={busy.value || argsError.value !== null}
        />
      </form>
    </Dialog>
  );
}
