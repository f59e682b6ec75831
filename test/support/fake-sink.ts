// A ViewerSink (src/sessions/viewer.ts) that records what a viewer is sent and answers each
// output frame as a test scripts it: "sent", "backpressure" or "dropped".

import type { ServerEvent } from "../../src/protocol/stream.ts";
import type { SendResult, ViewerEndReason, ViewerSink } from "../../src/sessions/viewer.ts";

export type Frame = { output: string } | ServerEvent;

export interface FakeSink extends ViewerSink {
  /** Everything sent, in order: output frames as text, events as they are. */
  readonly frames: Frame[];
  /** The output frames accepted ("sent" or "backpressure"), joined. */
  output(): string;
  /** The events of `type` sent, in order. */
  events<T extends ServerEvent["type"]>(type: T): Extract<ServerEvent, { type: T }>[];
  /** Why the viewer was closed, once it is. */
  closed: ViewerEndReason | undefined;
  /** The input hold the session asked for last (undefined: never asked). */
  held: boolean | undefined;
  /** Answers for the next output frames, first first; "sent" once they run out. */
  results: SendResult[];
}

const decoder = new TextDecoder();

export function createFakeSink(): FakeSink {
  const frames: Frame[] = [];
  let accepted = "";
  const sink: FakeSink = {
    frames,
    closed: undefined,
    held: undefined,
    results: [],
    output: () => accepted,
    events: <T extends ServerEvent["type"]>(type: T) =>
      frames.filter(
        (frame): frame is Extract<ServerEvent, { type: T }> =>
          "type" in frame && frame.type === type,
      ),
    sendOutput(bytes) {
      // The bytes are a view into the ring: copied now, as a transport would.
      const text = decoder.decode(bytes);
      const result = sink.results.shift() ?? "sent";
      if (result !== "dropped") {
        frames.push({ output: text });
        accepted += text;
      }
      return result;
    },
    sendEvent(event) {
      frames.push(event);
    },
    close(reason) {
      sink.closed = reason;
    },
    holdInput(hold) {
      sink.held = hold;
    },
  };
  return sink;
}
