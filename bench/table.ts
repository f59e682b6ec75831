// Plain-text tables for the benchmark report: columns padded to their widest cell, a rule under
// the header, and notes that wrap onto continuation lines instead of widening the table.

export type Row = readonly string[];

/** Columns of every figure table: each figure beside its baseline and target. */
export const FIGURE_HEADER: Row = [
  "figure",
  "measured",
  "baseline",
  "target",
  "verdict",
  "runs and notes",
];

/** The verdict cell of a figure with a target. */
export const verdict = (meets: boolean) => (meets ? "meets" : "MISSES");

/** Render `rows` under `header`; the last column may be long and is wrapped at `noteWidth`. */
export function renderTable(header: Row, rows: readonly Row[], noteWidth = 60): string {
  const expanded: Row[] = [];
  for (const row of rows) {
    const note = row[row.length - 1] ?? "";
    const lines = wrap(note, noteWidth);
    expanded.push([...row.slice(0, -1), lines[0] ?? ""]);
    for (const line of lines.slice(1)) {
      expanded.push([...row.slice(0, -1).map(() => ""), line]);
    }
  }
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...expanded.map((row) => (row[column] ?? "").length)),
  );
  const render = (row: Row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join("  ")
      .trimEnd();
  const rule = widths.map((width) => "-".repeat(width)).join("  ");
  return [render(header), rule, ...expanded.map(render)].join("\n");
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines.length > 0 ? lines : [""];
}
