// The keyboard shortcuts (state/shortcuts.ts) at work: one key listener on the window, ahead of
// xterm's, and the command palette and new-session dialog they open. Mounted once, in the
// signed-in shell.
import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { type ShortcutCommand, shortcutKeys, shortcutOf } from "../state/shortcuts.ts";
import { useStores } from "../stores.ts";
import { CTRL_V_MODES, type CtrlVMode } from "../terminal/keys.ts";
import { CommandPalette, type PaletteItem } from "./CommandPalette.tsx";
import { NewSessionDialog } from "./NewSessionDialog.tsx";
import { sessionTitle } from "./SessionList.tsx";

/** Focus the first element on screen that the first selector with one finds; false: none. */
function focusFirst(...selectors: string[]): boolean {
  for (const selector of selectors) {
    for (const element of document.querySelectorAll<HTMLElement>(selector)) {
      if (element.offsetParent === null) continue;
      element.focus();
      return true;
    }
  }
  return false;
}

const LIST_ROWS = [".session-list a[aria-current=page]", ".session-list a"];

export function Shortcuts() {
  const { router, sessions, prefs, auth } = useStores();
  const palette = useSignal(false);
  const newSession = useSignal(false);
  /** Where the focus was when the palette or dialog opened: it goes back there. */
  const returnTo = useRef<HTMLElement | null>(null);
  const isAdmin = () => auth.user.value?.role === "admin";

  const openTabs = () =>
    prefs.tabs.value.filter((id) => !sessions.loaded.value || sessions.byId.value.has(id));
  const currentSession = () => {
    const route = router.route.value;
    return route.page === "sessions" ? route.sessionId : null;
  };
  const openSession = (id: string) => {
    prefs.openTab(id);
    router.navigate(`/s/${id}`);
  };
  const stepTab = (step: 1 | -1) => {
    const tabs = openTabs();
    const current = currentSession();
    const at = current ? tabs.indexOf(current) : -1;
    const next =
      at < 0 ? tabs[step > 0 ? 0 : tabs.length - 1] : tabs[(at + step + tabs.length) % tabs.length];
    if (next) openSession(next);
  };
  const remember = () => {
    returnTo.current =
      document.activeElement instanceof HTMLElement ? document.activeElement : null;
  };
  const goBack = () => {
    if (returnTo.current?.isConnected) returnTo.current.focus();
    returnTo.current = null;
  };

  const run = (command: ShortcutCommand) => {
    switch (command) {
      case "palette":
        remember();
        palette.value = true;
        return;
      case "new-session":
        if (!isAdmin()) return;
        remember();
        newSession.value = true;
        return;
      case "next-tab":
        return stepTab(1);
      case "previous-tab":
        return stepTab(-1);
      case "session-list":
        // On phones (and other pages) the list is a page of its own.
        if (focusFirst(...LIST_ROWS)) return;
        router.navigate("/");
        requestAnimationFrame(() => focusFirst(...LIST_ROWS));
        return;
      case "leave-terminal":
        focusFirst("[role=tab][aria-selected=true]", "[role=tab][tabindex='0']", ".main button");
        return;
    }
  };

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      const target = event.target instanceof Element ? event.target : null;
      const command = shortcutOf(event, target?.closest(".terminal-host") !== null);
      // An open dialog (the palette, a confirmation) keeps the keys to itself.
      if (!command || document.querySelector("dialog[open]")) return;
      event.preventDefault();
      event.stopPropagation();
      run(command);
    };
    addEventListener("keydown", onKeyDown, true);
    return () => removeEventListener("keydown", onKeyDown, true);
  }, []);

  const items = (): PaletteItem[] => {
    const shown = currentSession();
    const go = (path: string) => () => router.navigate(path);
    const action = (command: ShortcutCommand, label: string): PaletteItem => ({
      id: command,
      label,
      keys: shortcutKeys(command),
      run: () => run(command),
    });
    const list: PaletteItem[] = sessions.sessions.value.map((session) => ({
      id: `session-${session.id}`,
      label: sessionTitle(session),
      hint: `${session.provider} · ${session.state} · ${session.cwd}`,
      run: () => openSession(session.id),
    }));
    if (isAdmin()) list.push(action("new-session", "New session"));
    list.push(
      action("next-tab", "Next tab"),
      action("previous-tab", "Previous tab"),
      action("session-list", "Session list"),
    );
    if (shown) {
      list.push({
        id: "find",
        label: "Find in terminal",
        run: () => void focusFirst("input[aria-label='Find in terminal']"),
      });
    }
    list.push(
      { id: "larger", label: "Larger text", run: () => prefs.changeFontSize(1) },
      { id: "smaller", label: "Smaller text", run: () => prefs.changeFontSize(-1) },
    );
    for (const [mode, what] of Object.entries(CTRL_V_MODES) as [CtrlVMode, string][]) {
      list.push({
        id: `ctrl-v-${mode}`,
        label: `Ctrl+V: ${what}`,
        hint: prefs.ctrlV.value === mode ? "current setting" : "setting",
        run: () => {
          prefs.ctrlV.value = mode;
        },
      });
    }
    list.push(
      { id: "inbox", label: "Inbox", run: go("/inbox") },
      { id: "providers", label: "Providers", run: go("/providers") },
      { id: "notifications", label: "Notification settings", run: go("/notifications") },
      { id: "keyboard", label: "Keyboard settings", run: go("/notifications") },
    );
    if (isAdmin()) list.push({ id: "audit", label: "Audit log", run: go("/audit") });
    list.push({ id: "sign-out", label: "Sign out", run: () => void auth.logout() });
    return list;
  };

  return (
    <>
      {palette.value && (
        <CommandPalette
          items={items()}
          onClose={() => {
            palette.value = false;
            goBack();
          }}
        />
      )}
      {newSession.value && (
        <NewSessionDialog
          onClose={() => {
            newSession.value = false;
            goBack();
          }}
        />
      )}
    </>
  );
}
