// The tabs of open terminals (with a dot for the session's activity) and, on phones, the way
// back to the list. The WAI-ARIA tabs pattern: one tab in the Tab order (the selected one), the
// arrow keys, Home and End select another, Delete closes the focused one.
import type { TargetedKeyboardEvent } from "preact";
import { useEffect } from "preact/hooks";
import type { Session } from "../../../src/protocol/session.ts";
import { ActivityBadge } from "./ActivityBadge.tsx";
import { sessionTitle } from "./SessionList.tsx";

export interface TerminalTabsProps {
  tabs: string[];
  activeId: string | null;
  byId: ReadonlyMap<string, Session>;
  onSelect: (id: string) => void;
  onClose: (id: string) => void;
  onBack: () => void;
}

/** The id of a tab's element (the one with role="tab"). */
export const tabElementId = (sessionId: string) => `tab-${sessionId}`;

export function TerminalTabs(props: TerminalTabsProps) {
  const { tabs, activeId, byId, onSelect, onClose, onBack } = props;
  const focusable = activeId && tabs.includes(activeId) ? activeId : tabs[0];
  const focusTab = (id: string | undefined) => {
    if (id) document.getElementById(tabElementId(id))?.focus();
  };
  // The active tab, its close button too, scrolled into sight (a phone shows one or two tabs).
  useEffect(() => {
    if (!activeId) return;
    document
      .getElementById(tabElementId(activeId))
      ?.parentElement?.scrollIntoView({ block: "nearest", inline: "nearest" });
  }, [activeId, tabs.length]);

  const onKeyDown = (event: TargetedKeyboardEvent<HTMLDivElement>) => {
    const id = (event.target as HTMLElement).closest<HTMLElement>("[role=tab]")?.dataset.session;
    if (!id || event.ctrlKey || event.altKey || event.metaKey) return;
    const at = tabs.indexOf(id);
    const targets: Record<string, string | undefined> = {
      ArrowRight: tabs[(at + 1) % tabs.length],
      ArrowLeft: tabs[(at - 1 + tabs.length) % tabs.length],
      Home: tabs[0],
      End: tabs[tabs.length - 1],
    };
    const target = targets[event.key];
    if (target) {
      event.preventDefault();
      onSelect(target);
      focusTab(target);
    } else if (event.key === "Delete") {
      event.preventDefault();
      focusTab(tabs[at + 1] ?? tabs[at - 1]);
      onClose(id);
    }
  };

  return (
    <div class="tabs">
      <button type="button" class="back" onClick={() => onBack()} aria-label="Back to sessions">
        ‹
      </button>
      <div class="tab-list" role="tablist" aria-label="Open sessions" onKeyDown={onKeyDown}>
        {tabs.map((id) => {
          const session = byId.get(id);
          const title = session ? sessionTitle(session) : id.slice(0, 8);
          return (
            <div key={id} class={`tab${id === activeId ? " active" : ""}`} role="presentation">
              <button
                type="button"
                role="tab"
                id={tabElementId(id)}
                data-session={id}
                aria-selected={id === activeId}
                tabIndex={id === focusable ? 0 : -1}
                onClick={() => onSelect(id)}
              >
                <ActivityBadge activity={session?.activity ?? null} dot />
                {title}
              </button>
              {/* Out of the Tab order (Delete closes the focused tab); for pointers. */}
              <button
                type="button"
                class="tab-close"
                tabIndex={-1}
                aria-label={`Close ${title}`}
                title={`Close ${title} (Delete on the tab)`}
                onClick={() => onClose(id)}
              >
                ×
              </button>
            </div>
          );
        })}
      </div>
    </div>
  );
}
