// How a finished session ended, prominently, above its terminal: the exit code or signal (or why
// it was stopped or interrupted), green for a clean exit and red for a failure, with Replay (its
// recording) for everyone and Restart and Delete for admins.
import type { Session } from "../../../src/protocol/session.ts";
import { isLive } from "../state/sessions.ts";

type Tone = "ok" | "failed" | "neutral";

/** What to say about a finished session, and in which tone; null while it is live. */
export function describeEnd(session: Session): { tone: Tone; text: string } | null {
  if (isLive(session)) return null;
  const how = session.exitSignal
    ? `was killed by ${session.exitSignal}`
    : session.exitCode !== null
      ? `exited with code ${session.exitCode}`
      : null;
  switch (session.state) {
    case "ended":
      return {
        tone: session.exitCode === 0 && !session.exitSignal ? "ok" : "failed",
        text: `The program ${how ?? "ended"}.`,
      };
    case "stopped":
      return { tone: "neutral", text: `Stopped on request${how ? `: the program ${how}` : ""}.` };
    case "failed":
      return {
        tone: "failed",
        text: `Failed: ${session.endReason ?? `the program ${how ?? "did not start"}`}.`,
      };
    case "interrupted":
      return {
        tone: "failed",
        text: `Interrupted: ${session.endReason ?? "the server went away while it ran"}.`,
      };
    default:
      return null;
  }
}

export function ExitBanner(props: {
  session: Session;
  readOnly: boolean;
  onRestart: () => void;
  onDelete: () => void;
  /** Play the session's recording. */
  onReplay: () => void;
}) {
  const end = describeEnd(props.session);
  if (!end) return null;
  return (
    <div class={`exit-banner exit-${end.tone}`} role="status" data-testid="exit-banner">
      <span class="exit-text">{end.text}</span>
      <span class="exit-actions">
        <button type="button" onClick={props.onReplay}>
          Replay
        </button>
        {!props.readOnly && (
          <>
            <button type="button" onClick={props.onRestart}>
              Restart
            </button>
            <button type="button" onClick={props.onDelete}>
              Delete
            </button>
          </>
        )}
      </span>
    </div>
  );
}
