// Cuts a parsed file diff (diff2html's DiffFile) into slices of about `size` lines, so that a
// large diff can be drawn a slice at a time as it scrolls into view. A run of removed lines
// followed by added lines is cut in step on both sides (its first removed lines with its first
// added lines, and so on), so that side by side each slice pairs the lines the whole drawing
// would; line numbers are kept as parsed. Pure: no DOM, no diff2html code.

import type { DiffBlock, DiffFile, DiffLine } from "diff2html/lib-esm/types.js";

/** Pixels a diff line takes, to hold a diff's place until it is drawn. */
export const LINE_PX = 20;

/** Lines in a slice: the first one is drawn at once, the others when scrolled near. */
export const SLICE_LINES = 200;

export interface DiffSlice {
  /** The slice as a file diff of its own, for diff2html. */
  file: DiffFile;
  /** Lines (rows of a line-by-line drawing) in the slice. */
  lines: number;
  /** Whether the slice starts inside one of the file's hunks (its header row is not the hunk's). */
  continued: boolean;
}

/** A piece that is never cut: one context line, or part of a run of changes. */
interface Unit {
  block: DiffBlock;
  lines: DiffLine[];
}

/** The units of one hunk: context lines one by one, runs of changes in steps of `step` a side. */
function units(block: DiffBlock, step: number): Unit[] {
  const out: Unit[] = [];
  let removed: DiffLine[] = [];
  let added: DiffLine[] = [];
  const flush = () => {
    for (let i = 0; i < Math.max(removed.length, added.length); i += step)
      out.push({
        block,
        lines: [...removed.slice(i, i + step), ...added.slice(i, i + step)],
      });
    removed = [];
    added = [];
  };
  for (const line of block.lines) {
    if (line.type === "context") {
      flush();
      out.push({ block, lines: [line] });
    } else if (line.type === "delete") {
      if (added.length > 0) flush();
      removed.push(line);
    } else added.push(line);
  }
  flush();
  return out;
}

/** `file` in slices of at most about `size` lines (a slice is never empty; one slice if small). */
export function sliceFile(file: DiffFile, size = SLICE_LINES): DiffSlice[] {
  const total = file.blocks.reduce((sum, block) => sum + block.lines.length, 0);
  if (total <= size) return [{ file, lines: total, continued: false }];
  const step = Math.max(1, Math.floor(size / 2));
  const slices: DiffSlice[] = [];
  let blocks: DiffBlock[] = [];
  let count = 0;
  let continued = false;
  const close = () => {
    if (count === 0) return;
    slices.push({ file: { ...file, blocks }, lines: count, continued });
    blocks = [];
    count = 0;
  };
  for (const block of file.blocks) {
    // The piece of this hunk in the current slice.
    let piece: DiffBlock | null = null;
    let first = true;
    for (const unit of units(block, step)) {
      if (count > 0 && count + unit.lines.length > size) {
        close();
        piece = null;
      }
      if (count === 0) continued = !first;
      if (!piece) {
        const line = unit.lines[0];
        piece = {
          header: first ? block.header : "",
          oldStartLine: line?.oldNumber ?? block.oldStartLine,
          newStartLine: line?.newNumber ?? block.newStartLine,
          lines: [],
        };
        blocks.push(piece);
      }
      piece.lines.push(...unit.lines);
      count += unit.lines.length;
      first = false;
    }
  }
  close();
  return slices;
}
