// A session's state as a small coloured label: running, idle for 3 min, ended (exit 0), failed;
// an end with another exit code or a signal in the failure colour.
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
  // An exit other than 0 is a failure even though the session "ended" normally.
  const badExit = session.state === "ended" && (session.exitCode !== 0 || session.exitSignal);
  return (
    <span class={`pill pill-${session.state}${badExit ? " pill-bad-exit" : ""}`}>{label}</span>
  );
}
