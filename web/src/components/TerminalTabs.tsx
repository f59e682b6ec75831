// The tabs of open terminals (with the attention dot) and, on phones, the way back to the list.
import type { Session } from "../../../src/protocol/session.ts";
import { sessionTitle } from "./SessionList.tsx";

export interface TerminalTabsProps {
  tabs: string[];
  activeId: string | null;
  byId: ReadonlyMap<string, Session>;
  attention: ReadonlySet<string>;
  onSelect: (id: string) => void;
  onClose: (id: string) => void;
  onBack: () => void;
}

export function TerminalTabs(props: TerminalTabsProps) {
  const { tabs, activeId, byId, attention, onSelect, onClose, onBack } = props;
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
              {attention.has(id) && <span class="badge">●</span>}
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
