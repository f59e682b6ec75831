// The tabs of open terminals (with a dot for the session's activity) and, on phones, the way
// back to the list.
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

export function TerminalTabs(props: TerminalTabsProps) {
  const { tabs, activeId, byId, onSelect, onClose, onBack } = props;
  return (
    <div class="tabs" role="tablist">
      <button type="button" class="back" onClick={() => onBack()} aria-label="Back to sessions">
        ‹
      </button>
      {tabs.map((id) => {
        const session = byId.get(id);
        return (
          <div key={id} class={`tab${id === activeId ? " active" : ""}`} role="presentation">
            <button
              type="button"
              role="tab"
              aria-selected={id === activeId}
              onClick={() => onSelect(id)}
            >
              <ActivityBadge activity={session?.activity ?? null} dot />
              {session ? sessionTitle(session) : id.slice(0, 8)}
            </button>
            <button
              type="button"
              class="tab-close"
              aria-label="Close tab"
              onClick={() => onClose(id)}
            >
              ×
            </button>
          </div>
        );
      })}
    </div>
  );
}
