// The sessions workbench: the list, the tabs of open terminals, the active terminal with its
// actions (rename, stop, restart, delete), and on phones the key bar and the composer.

import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { Session, SessionWorktree } from "../../../src/protocol/session.ts";
import { errorMessage } from "../api/http.ts";
import { ChangesPanel } from "../components/ChangesPanel.tsx";
import { DeleteSessionDialog } from "../components/DeleteSessionDialog.tsx";
import { ConfirmDialog, type ConfirmProps, PromptDialog } from "../components/Dialog.tsx";
import { Dock } from "../components/Dock.tsx";
import { ExitBanner } from "../components/ExitBanner.tsx";
import { FilesPanel } from "../components/FilesPanel.tsx";
import { NewSessionDialog } from "../components/NewSessionDialog.tsx";
import { ReplayDialog } from "../components/ReplayDialog.tsx";
import { SessionHeader } from "../components/SessionHeader.tsx";
import { SessionList, sessionTitle } from "../components/SessionList.tsx";
import { ShareDialog } from "../components/ShareDialog.tsx";
import { TerminalTabs } from "../components/TerminalTabs.tsx";
import { UploadDrop } from "../components/UploadDrop.tsx";
import { isLive } from "../state/sessions.ts";
import { useStores } from "../stores.ts";
import { TerminalView } from "../terminal/TerminalView.tsx";
import type { TerminalController } from "../terminal/terminal-controller.ts";

type Modal =
  | { kind: "new" }
  | { kind: "rename"; session: Session }
  | { kind: "files"; session: Session }
  | { kind: "delete-worktree"; session: Session & { worktree: SessionWorktree } }
  | { kind: "changes"; session: Session }
  | { kind: "share"; session: Session }
  | { kind: "replay"; session: Session }
  | ({ kind: "confirm" } & Omit<ConfirmProps, "onClose">)
  | null;

export function Workbench({
  sessionId,
  find = null,
}: {
  sessionId: string | null;
  /** Words to find in the session's terminal once it is shown (from a search result). */
  find?: string | null;
}) {
  const { sessions, prefs, auth, router, clock, api, keyboard, drafts } = useStores();
  const modal = useSignal<Modal>(null);
  /** Pixels of the terminal's bottom under the dock's open panel (composer, find). */
  const covered = useSignal(0);
  const failure = useSignal("");
  /** What the last action left behind that the user should know of (a kept worktree). */
  const notice = useSignal("");
  const terminals = useSignal<ReadonlyMap<string, TerminalController>>(new Map());
  const readOnly = auth.user.value?.role !== "admin";

  useEffect(() => {
    if (sessionId) prefs.openTab(sessionId);
    sessions.watch(sessionId);
    // On another page no terminal is watched: what a session asks is then news.
    return () => sessions.watch(null);
  }, [sessionId, prefs, sessions]);

  const byId = sessions.byId.value;
  const tabs = prefs.tabs.value.filter((id) => !sessions.loaded.value || byId.has(id));
  const active = sessionId ? byId.get(sessionId) : undefined;
  const terminal = sessionId ? terminals.value.get(sessionId) : undefined;

  useEffect(() => {
    if (!find || !terminal) return;
    let current = true;
    void terminal.findWhenShown(find).then((found) => {
      if (current && !found) {
        failure.value = `"${find}" is no longer in this terminal's scrollback: older output is only in search.`;
      }
    });
    return () => {
      current = false;
    };
  }, [find, terminal]);

  const register = (id: string) => (controller: TerminalController | null) => {
    const next = new Map(terminals.value);
    if (controller) next.set(id, controller);
    else next.delete(id);
    terminals.value = next;
  };
  const run = (action: () => Promise<unknown>) => {
    failure.value = "";
    notice.value = "";
    void action().catch((e: unknown) => {
      failure.value = errorMessage(e);
    });
  };
  const closeTab = (id: string) => {
    prefs.closeTab(id);
    if (id === sessionId) {
      const rest = prefs.tabs.value;
      router.navigate(rest.length ? `/s/${rest[rest.length - 1]}` : "/");
    }
  };
  const restart = (session: Session) =>
    run(async () => {
      const next = await sessions.restart(session.id);
      prefs.closeTab(session.id);
      prefs.openTab(next.id);
      router.navigate(`/s/${next.id}`);
    });
  const askDelete = (session: Session) => {
    const { worktree } = session;
    if (worktree) {
      modal.value = { kind: "delete-worktree", session: { ...session, worktree } };
      return;
    }
    modal.value = {
      kind: "confirm",
      title: "Delete session?",
      body: `${sessionTitle(session)} and its scrollback will be gone${isLive(session) ? "; it is stopped first" : ""}.`,
      action: "Delete",
      danger: true,
      onConfirm: () =>
        run(async () => {
          await sessions.remove(session.id);
          closeTab(session.id);
        }),
    };
  };

  return (
    <div class="workbench" data-open={sessionId ? "session" : "list"}>
      <aside class="sidebar">
        <div class="sidebar-head">
          <h2>Sessions</h2>
          {!readOnly && (
            <button type="button" class="primary" onClick={() => (modal.value = { kind: "new" })}>
              New
            </button>
          )}
        </div>
        <SessionList activeId={sessionId} />
      </aside>
      <section class="main" aria-label="Terminals">
        <TerminalTabs
          tabs={tabs}
          activeId={sessionId}
          byId={byId}
          onSelect={(id) => router.navigate(`/s/${id}`)}
          onClose={closeTab}
          onBack={() => router.navigate("/")}
        />
        {active && (
          <SessionHeader
            session={active}
            terminal={terminal}
            find={find}
            readOnly={readOnly}
            now={clock.now.value}
            onFontSize={(delta) => prefs.changeFontSize(delta)}
            onRename={() => (modal.value = { kind: "rename", session: active })}
            onStop={() =>
              (modal.value = {
                kind: "confirm",
                title: "Stop session?",
                body: `${sessionTitle(active)} will get SIGHUP/SIGTERM, and SIGKILL after 3 s.`,
                action: "Stop",
                danger: true,
                onConfirm: () => run(() => sessions.stop(active.id)),
              })
            }
            onRestart={() => restart(active)}
            onDelete={() => askDelete(active)}
            onFiles={() => (modal.value = { kind: "files", session: active })}
            onChanges={() => (modal.value = { kind: "changes", session: active })}
            onShare={() => (modal.value = { kind: "share", session: active })}
          />
        )}
        {active && (
          <ExitBanner
            session={active}
            readOnly={readOnly}
            onRestart={() => restart(active)}
            onDelete={() => askDelete(active)}
            onReplay={() => (modal.value = { kind: "replay", session: active })}
          />
        )}
        {notice.value && (
          <p class="quiet pad" role="status" data-testid="notice">
            {notice.value}
          </p>
        )}
        {failure.value && (
          <p class="error pad" role="alert">
            {failure.value}
          </p>
        )}
        <div class="terminals">
          {tabs.map((id) => (
            <TerminalView
              key={`${id}:${readOnly}`}
              sessionId={id}
              readOnly={readOnly}
              fontSize={prefs.fontSize.value}
              ctrlV={() => prefs.ctrlV.value}
              screenReaderMode={prefs.screenReader.value}
              visible={id === sessionId}
              keyboardInset={keyboard.inset.value + (id === sessionId ? covered.value : 0)}
              onController={register(id)}
              onRefused={() => void api.me().catch(() => undefined)}
              // Not once signed out: the user's sign-out has just cleared every draft.
              onUndelivered={(keys) => auth.user.value && drafts.rescue(id, keys)}
              onSession={(session) => sessions.update(session)}
            />
          ))}
          {active && !readOnly && <UploadDrop session={active} />}
          {!sessionId && (
            <div class="empty">
              <p class="muted">Pick a session, or start a new one.</p>
            </div>
          )}
          {sessionId && sessions.loaded.value && !active && (
            <div class="empty">
              <p class="muted">This session no longer exists.</p>
            </div>
          )}
        </div>
        {terminal && !readOnly && (
          <Dock
            terminal={terminal}
            onFontSize={(delta) => prefs.changeFontSize(delta)}
            onFiles={() => {
              if (active) modal.value = { kind: "files", session: active };
            }}
            onChanges={() => {
              if (active) modal.value = { kind: "changes", session: active };
            }}
            onCover={(px) => {
              covered.value = px;
            }}
          />
        )}
      </section>
      {modal.value?.kind === "new" && <NewSessionDialog onClose={() => (modal.value = null)} />}
      {modal.value?.kind === "rename" && (
        <PromptDialog
          title="Rename session"
          label="Name"
          value={modal.value.session.name}
          action="Rename"
          onSubmit={(name) => {
            const id = (modal.value as { session: Session }).session.id;
            if (name.trim()) run(() => sessions.rename(id, name.trim()));
          }}
          onClose={() => (modal.value = null)}
        />
      )}
      {modal.value?.kind === "files" && (
        <FilesPanel
          session={modal.value.session}
          now={clock.now.value}
          canUpload={!readOnly}
          onClose={() => (modal.value = null)}
        />
      )}
      {modal.value?.kind === "delete-worktree" && (
        <DeleteSessionDialog
          session={modal.value.session}
          title={sessionTitle(modal.value.session)}
          live={isLive(modal.value.session)}
          remove={async (mode) => {
            const id = (modal.value as { session: Session }).session.id;
            const deleted = await sessions.remove(id, mode);
            closeTab(id);
            return deleted;
          }}
          onDeleted={(message) => {
            notice.value = message;
          }}
          onClose={() => (modal.value = null)}
        />
      )}
      {modal.value?.kind === "changes" && (
        <ChangesPanel
          // The live session: the view refreshes when its activity comes to rest.
          session={byId.get(modal.value.session.id) ?? modal.value.session}
          onClose={() => (modal.value = null)}
        />
      )}
      {modal.value?.kind === "share" && (
        <ShareDialog sessionId={modal.value.session.id} onClose={() => (modal.value = null)} />
      )}
      {modal.value?.kind === "replay" && (
        <ReplayDialog
          session={modal.value.session}
          fontSize={prefs.fontSize.value}
          onClose={() => (modal.value = null)}
        />
      )}
      {modal.value?.kind === "confirm" && (
        <ConfirmDialog {...modal.value} onClose={() => (modal.value = null)} />
      )}
    </div>
  );
}
