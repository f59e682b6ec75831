// A session's output bytes as the lines of text a terminal would show: escape sequences
// removed, carriage returns, backspaces and line erasures applied, so that a progress bar that
// redraws one line a thousand times yields that line once, in its final form.

/** One line of output text, with the output offset (bytes since the session began) where it began. */
export interface OutputLine {
  text: string;
  offset: number;
}

/** Widest line kept, in cells: a program that never prints a newline cannot grow memory. */
export const MAX_LINE_CELLS = 4096;
/** Distinct lines remembered to skip repeats (a screen that is redrawn in place). */
const RECENT_LINES = 256;
/** Rows kept between two newlines; a program that redraws without newlines cannot grow memory. */
const MAX_PENDING_ROWS = 1024;

type EscapeState = "ground" | "esc" | "intermediate" | "csi" | "osc" | "string" | "string-esc";

const NEWLINE = 0x0a;

/**
 * Feeds output bytes in order (`push`), across gaps (`gap`), and gives back finished lines.
 * Invariant: `lineStart` is the offset of the first byte of the line being built; every byte
 * before it belongs to a line already given back (or skipped as blank or repeated).
 */
export class OutputLines {
  private decoder = new TextDecoder("utf-8", { fatal: false });
  private cells: string[] = [];
  private cursor = 0;
  private state: EscapeState = "ground";
  private params = "";
  private lineStart: number;
  private readonly recent = new Map<string, true>();
  /**
   * Rows finished since the last newline (a full-screen program moves the cursor between rows
   * without one); given back, at `lineStart`, with the next line.
   */
  private readonly rows: string[] = [];

  /** @param offset output offset of the first byte that will be pushed */
  constructor(offset: number) {
    this.lineStart = offset;
  }

  /** Offset where the line being built began: resuming there rebuilds it. */
  get pendingFrom(): number {
    return this.lineStart;
  }

  /** The bytes at output offset `at`; returns the lines they finished. */
  push(bytes: Uint8Array, at: number): OutputLine[] {
    const lines: OutputLine[] = [];
    let from = 0;
    while (from < bytes.length) {
      const newline = bytes.indexOf(NEWLINE, from);
      const to = newline === -1 ? bytes.length : newline;
      if (to > from) this.feed(this.decoder.decode(bytes.subarray(from, to), { stream: true }));
      if (newline === -1) break;
      // A newline ends any escape sequence cut short and flushes the decoder (it never sits
      // inside a UTF-8 sequence).
      this.feed(this.decoder.decode());
      this.state = "ground";
      this.finishLine(lines, at + newline + 1);
      from = newline + 1;
    }
    return lines;
  }

  /** Output was lost up to `offset`: the line being built ends, the next starts there. */
  gap(offset: number): OutputLine[] {
    const lines: OutputLine[] = [];
    this.decoder = new TextDecoder("utf-8", { fatal: false });
    this.state = "ground";
    this.finishLine(lines, offset);
    return lines;
  }

  /** The output ended at `offset`: the unfinished last line counts as a line. */
  end(offset: number): OutputLine[] {
    this.feed(this.decoder.decode());
    return this.gap(offset);
  }

  private finishLine(lines: OutputLine[], next: number): void {
    this.finishRow();
    for (const text of this.rows) {
      if (this.recent.has(text)) continue;
      lines.push({ text, offset: this.lineStart });
      this.recent.set(text, true);
      if (this.recent.size > RECENT_LINES) {
        const oldest = this.recent.keys().next().value;
        if (oldest !== undefined) this.recent.delete(oldest);
      }
    }
    this.rows.length = 0;
    this.lineStart = next;
  }

  /** The row being drawn is done (a newline, or the cursor went to another row). */
  private finishRow(): void {
    const text = this.cells.join("").trimEnd();
    if (text.trim() !== "" && this.rows.length < MAX_PENDING_ROWS) this.rows.push(text);
    this.cells = [];
    this.cursor = 0;
  }

  /** Text without newlines, through the escape-sequence state machine. */
  private feed(text: string): void {
    for (const char of text) {
      const code = char.codePointAt(0) ?? 0;
      switch (this.state) {
        case "ground":
          this.ground(char, code);
          break;
        case "esc":
          this.escape(char, code);
          break;
        case "intermediate":
          // ESC, intermediates 0x20–0x2F, then one final byte (charset designations and the like).
          if (code < 0x20 || code > 0x2f) this.state = "ground";
          break;
        case "csi":
          if (code >= 0x40 && code <= 0x7e) {
            this.state = "ground";
            this.csi(char);
          } else if (this.params.length < 64) this.params += char;
          break;
        case "osc":
          if (code === 0x07) this.state = "ground";
          else if (code === 0x1b) this.state = "string-esc";
          break;
        case "string":
          if (code === 0x1b) this.state = "string-esc";
          break;
        case "string-esc":
          this.state = char === "\\" ? "ground" : "string";
          break;
      }
    }
  }

  private ground(char: string, code: number): void {
    if (code === 0x1b) this.state = "esc";
    else if (code === 0x9b) this.startCsi();
    else if (code === 0x9d) this.state = "osc";
    else if (code === 0x90 || code === 0x98 || code === 0x9e || code === 0x9f)
      this.state = "string";
    else if (code === 0x0d) this.cursor = 0;
    else if (code === 0x08) this.cursor = Math.max(0, this.cursor - 1);
    else if (code === 0x09) this.moveTo((Math.floor(this.cursor / 8) + 1) * 8);
    else if (code >= 0x20 && code !== 0x7f && !(code >= 0x80 && code < 0xa0)) this.put(char);
  }

  private escape(char: string, code: number): void {
    if (char === "[") this.startCsi();
    else if (char === "]") this.state = "osc";
    else if (char === "P" || char === "X" || char === "^" || char === "_") this.state = "string";
    else if (code >= 0x20 && code <= 0x2f) this.state = "intermediate";
    else this.state = "ground";
  }

  private startCsi(): void {
    this.state = "csi";
    this.params = "";
  }

  private csi(final: string): void {
    const numbers = this.params.split(";").map((part) => Number.parseInt(part, 10));
    const first = numbers[0];
    const count = first === undefined || Number.isNaN(first) || first < 1 ? 1 : first;
    switch (final) {
      case "K": {
        const mode = Number.isNaN(first) ? 0 : first;
        if (mode === 0) this.cells.length = Math.min(this.cells.length, this.cursor);
        else if (mode === 1)
          for (let i = 0; i <= this.cursor && i < this.cells.length; i++) this.cells[i] = " ";
        else this.cells = [];
        break;
      }
      case "G":
      case "`":
        this.moveTo(count - 1);
        break;
      case "C":
        this.moveTo(this.cursor + count);
        break;
      case "D":
        this.cursor = Math.max(0, this.cursor - count);
        break;
      case "X":
        for (let i = this.cursor; i < this.cursor + count && i < this.cells.length; i++)
          this.cells[i] = " ";
        break;
      case "A":
      case "B":
      case "E":
      case "F":
      case "H":
      case "f":
      case "d": {
        // Another row of the screen: the row being drawn is a line of its own.
        const column = final === "H" || final === "f" ? (numbers[1] ?? 1) : 1;
        this.finishRow();
        this.moveTo(Number.isNaN(column) || column < 1 ? 0 : column - 1);
        break;
      }
      default:
        break;
    }
  }

  private moveTo(column: number): void {
    this.cursor = Math.min(column, MAX_LINE_CELLS);
  }

  private put(char: string): void {
    if (this.cursor >= MAX_LINE_CELLS) return;
    while (this.cells.length < this.cursor) this.cells.push(" ");
    this.cells[this.cursor] = char;
    this.cursor++;
  }
}
