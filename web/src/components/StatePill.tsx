// A session's state as a small coloured label: running, idle for 3 min, ended (exit 0), failed.
import type { Session } from "../../../src/protocol/session.ts";
import { ago } from "./time.ts";

export function StatePill({ session, now }: { session: Session; now: number }) {
  let label: string = session.state;
  const quietSince = session.lastOutputAt ?? session.startedAt;
  if (session.state === "idle" && quietSince) {
    label = `idle for ${ago(quietSince, now)}`;
  } else if (session.state === "ended" || session.state === "failed") {
    const how = session.exitSignal ? session.exitSignal : `exit ${session.exitCode ?? "?"}`;
    label = `${session.state} (${how})`;
  }
  return <span class={`pill pill-${session.state}`}>{label}</span>;
}
