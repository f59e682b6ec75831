// What a live session's program is doing, compactly: "needs you" (waiting on a prompt, in the
// accent colour), "done" (its turn finished), "working" (subtle); nothing while quiet. `dot`:
// a coloured dot only, for the tabs.
import type { Activity } from "../../../src/protocol/attention.ts";

const LABELS = { waiting: "needs you", done: "done", working: "working" } as const;
const TITLES = {
  waiting: "Waiting for you",
  done: "Turn done",
  working: "Working",
} as const;

export function ActivityBadge({ activity, dot }: { activity: Activity | null; dot?: boolean }) {
  const state = activity?.state;
  if (!state || state === "quiet") return null;
  const title = state === "waiting" && activity.prompt ? activity.prompt.text : TITLES[state];
  if (dot) {
    return (
      <span
        class={`activity-dot activity-${state}`}
        title={TITLES[state]}
        role="img"
        aria-label={TITLES[state]}
      />
    );
  }
  return (
    <span class={`activity activity-${state}`} title={title}>
      {LABELS[state]}
    </span>
  );
}
