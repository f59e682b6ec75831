// A finished session's recording played back in a dialog (the player: ReplayPlayerView) with the
// recording's downloads (.cast for asciinema, plain text). Pauses come capped by the server. For
// viewers too.

import { useSignal } from "@preact/signals";
import type { Session } from "../../../src/protocol/session.ts";
import { errorMessage } from "../api/http.ts";
import { fetchCast, recordingUrl } from "../api/recordings.ts";
import { PanelDialog } from "./Dialog.tsx";
import { ReplayPlayerView } from "./ReplayPlayerView.tsx";

export function ReplayDialog(props: { session: Session; fontSize: number; onClose: () => void }) {
  const { session, onClose } = props;
  const failure = useSignal("");

  return (
    <PanelDialog label="Replay" class="replay-dialog" onClose={onClose} testId="replay-dialog">
      <div class="replay-head">
        <h2>Replay</h2>
        <button type="button" class="replay-close" aria-label="Close replay" onClick={onClose}>
          ✕
        </button>
      </div>
      {failure.value && (
        <p class="error" role="alert">
          {failure.value}
        </p>
      )}
      <ReplayPlayerView
        key={session.id}
        load={() => fetchCast(session.id)}
        fontSize={props.fontSize}
        autoplay
        onFailure={(error) => {
          failure.value = errorMessage(error);
        }}
      />
      <p class="replay-downloads">
        <a href={recordingUrl(session.id, "cast")} download>
          Download .cast
        </a>
        <a href={recordingUrl(session.id, "txt")} download>
          Download text
        </a>
      </p>
    </PanelDialog>
  );
}
