// A session's state as a small coloured label: running, idle for 3 min, ended (exit 0), failed.
import type { Session } from "../../../src/protocol/session.ts";
import { ago } from "./time.ts";

export function StatePill({ session, now }: { session: Session; now: number }) {
  let label: string = session.state;
  if (session.state === "idle" && session.lastOutputAt) {
    label = `idle for ${ago(session.lastOutputAt, now)}`;
  } else if (session.state === "ended" || session.state === "failed") {
    const how = session.exitSignal ? session.exitSignal : `exit ${session.exitCode ?? "?"}`;
    label = `${session.state} (${how})`;
  }
  return <span class={`pill pill-${session.state}`}>{label}</span>;
}
