// A headless xterm.js attached to a session stream: it renders the output as a terminal would
// (so full-screen TUIs become readable text) and answers the program's terminal queries (device
// attributes, cursor position, …) as a browser's xterm.js would, because some CLIs wait for them.

import { Terminal } from "@xterm/headless";
import { type TerminalState, terminalState } from "./terminal-state.ts";
import type { StreamClient } from "./ws-client.ts";

export class Screen {
  private readonly terminal: Terminal;
  private pending = Promise.resolve();
  /** Output frames received so far: a wait re-renders only when this moved. */
  private frames = 0;

  constructor(
    readonly client: StreamClient,
    size: { cols: number; rows: number },
  ) {
    this.terminal = new Terminal({ ...size, allowProposedApi: true });
    this.terminal.onData((reply) => client.send(new TextEncoder().encode(reply)));
    // A snapshot (src/protocol/stream.ts) replaces what the terminal showed, as in the browser.
    let snapshotNext = false;
    client.socket.addEventListener("message", (event) => {
      if (typeof event.data === "string") {
        if ((JSON.parse(event.data) as { type: string }).type === "snapshot") snapshotNext = true;
        return;
      }
      this.frames++;
      const bytes = new Uint8Array(event.data as ArrayBuffer);
      const reset = snapshotNext;
      snapshotNext = false;
      this.pending = this.pending.then(
        () =>
          new Promise<void>((resolve) => {
            if (reset) this.terminal.reset();
            this.terminal.write(bytes, resolve);
          }),
      );
    });
  }

  /** Screens, modes and cursor once all output received so far is parsed. */
  async state(): Promise<TerminalState> {
    await this.pending;
    return terminalState(this.terminal);
  }

  /** The visible screen, one line per row, trailing spaces trimmed. */
  async text(): Promise<string> {
    await this.pending;
    const buffer = this.terminal.buffer.active;
    const lines: string[] = [];
    for (let row = 0; row < this.terminal.rows; row++) {
      lines.push(buffer.getLine(buffer.viewportY + row)?.translateToString(true) ?? "");
    }
    return lines.join("\n");
  }

  /** Resolve with the screen once it matches `pattern`; reject with the screen after `timeoutMs`. */
  async waitFor(pattern: RegExp, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seen = this.frames;
      const text = await this.text();
      if (pattern.test(text)) return text;
      if (Date.now() > deadline || this.client.closed) {
        throw new Error(
          `screen never matched ${pattern} (closed=${JSON.stringify(this.client.closed)}):\n${text}`,
        );
      }
      // Frames that arrived while rendering: look again at once; else wait for the next frame.
      if (this.frames !== seen) continue;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.client.socket.removeEventListener("message", done);
          this.client.socket.removeEventListener("close", done);
          resolve();
        };
        const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
        this.client.socket.addEventListener("message", done);
        this.client.socket.addEventListener("close", done);
      });
    }
  }

  dispose() {
    this.terminal.dispose();
  }
}
