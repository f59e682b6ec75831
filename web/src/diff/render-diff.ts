// Draws one file's unified diff with diff2html (side by side, or line by line on a phone) and
// highlights its code with highlight.js. Loaded on demand (its own chunk): the app's first paint
// never pays for it. Only common languages are registered; any other file shows plain text.
// A large diff is drawn in slices (./slice-diff.ts): the first at once, each other one when it
// comes near the visible part of the scrolling `root`, its place held until then.

import { parse } from "diff2html/lib-esm/diff-parser.js";
import { ColorSchemeType, type DiffFile } from "diff2html/lib-esm/types.js";
import { Diff2HtmlUI } from "diff2html/lib-esm/ui/js/diff2html-ui-base.js";
import hljs from "highlight.js/lib/core";
import bash from "highlight.js/lib/languages/bash";
import c from "highlight.js/lib/languages/c";
import cpp from "highlight.js/lib/languages/cpp";
import csharp from "highlight.js/lib/languages/csharp";
import css from "highlight.js/lib/languages/css";
import diff from "highlight.js/lib/languages/diff";
import dockerfile from "highlight.js/lib/languages/dockerfile";
import go from "highlight.js/lib/languages/go";
import ini from "highlight.js/lib/languages/ini";
import java from "highlight.js/lib/languages/java";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import kotlin from "highlight.js/lib/languages/kotlin";
import makefile from "highlight.js/lib/languages/makefile";
import markdown from "highlight.js/lib/languages/markdown";
import php from "highlight.js/lib/languages/php";
import plaintext from "highlight.js/lib/languages/plaintext";
import python from "highlight.js/lib/languages/python";
import ruby from "highlight.js/lib/languages/ruby";
import rust from "highlight.js/lib/languages/rust";
import scss from "highlight.js/lib/languages/scss";
import sql from "highlight.js/lib/languages/sql";
import swift from "highlight.js/lib/languages/swift";
import typescript from "highlight.js/lib/languages/typescript";
import xml from "highlight.js/lib/languages/xml";
import yaml from "highlight.js/lib/languages/yaml";
import { type DiffSlice, LINE_PX, sliceFile } from "./slice-diff.ts";

const LANGUAGES = {
  bash,
  c,
  cpp,
  csharp,
  css,
  diff,
  dockerfile,
  go,
  ini,
  java,
  javascript,
  json,
  kotlin,
  makefile,
  markdown,
  php,
  plaintext,
  python,
  ruby,
  rust,
  scss,
  sql,
  swift,
  typescript,
  xml,
  yaml,
};
for (const [name, language] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, language);

export type DiffLayout = "side-by-side" | "line-by-line";

/**
 * Characters of code in one slice above which it is drawn without highlighting: highlight.js
 * takes about a second per few hundred KB (a minified file's one long line), the page frozen.
 */
export const HIGHLIGHT_MAX_CHARS = 100_000;

const characters = (files: DiffFile[]) =>
  files.reduce(
    (sum, file) =>
      sum +
      file.blocks.reduce(
        (n, block) => n + block.lines.reduce((m, l) => m + l.content.length, 0),
        0,
      ),
    0,
  );

/**
 * Replaces `target`'s content with `diff` (text or parsed) drawn in `layout`, highlighted unless
 * it holds more than HIGHLIGHT_MAX_CHARS characters of code.
 */
function render(target: HTMLElement, diff: string | DiffFile[], layout: DiffLayout): void {
  const highlight =
    (typeof diff === "string" ? diff.length : characters(diff)) <= HIGHLIGHT_MAX_CHARS;
  const ui = new Diff2HtmlUI(
    target,
    diff,
    {
      outputFormat: layout,
      drawFileList: false,
      matching: "lines",
      colorScheme: ColorSchemeType.AUTO,
      highlight,
      synchronisedScroll: true,
      fileListToggle: false,
      fileContentToggle: false,
      stickyFileHeaders: false,
    },
    hljs,
  );
  ui.draw();
}

export interface DiffDrawing {
  /** Stops drawing the slices not drawn yet. */
  stop(): void;
}

/**
 * Draws `unifiedDiff` into `target` in `layout`: one `.changes-slice` per slice of the diff, the
 * first drawn now, the others (`data-state="waiting"`, held at about their height) once they
 * come within `margin` of `root`'s visible part.
 */
export function drawDiff(
  target: HTMLElement,
  unifiedDiff: string,
  layout: DiffLayout,
  root: Element | null,
  margin: string,
): DiffDrawing {
  const files = parse(unifiedDiff);
  if (files.length === 0) {
    render(target, unifiedDiff, layout);
    return { stop() {} };
  }
  // A file's slices after its first continue it (its header shows once).
  const slices = files.flatMap((file) =>
    sliceFile(file).map((slice, i) => ({ slice, rest: i > 0 })),
  );
  const elements = new Map<Element, DiffSlice>();
  const draw = (element: HTMLElement, slice: DiffSlice) => {
    render(element, [slice.file], layout);
    element.style.minHeight = "";
    // Off screen it is skipped by layout and paint (content-visibility), at about this height.
    element.style.containIntrinsicSize = `auto ${slice.lines * LINE_PX}px`;
    element.dataset.state = "drawn";
  };
  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        const slice = elements.get(entry.target);
        if (!entry.isIntersecting || !slice) continue;
        observer.unobserve(entry.target);
        elements.delete(entry.target);
        draw(entry.target as HTMLElement, slice);
      }
    },
    { root, rootMargin: margin },
  );
  target.replaceChildren(
    ...slices.map(({ slice, rest }, i) => {
      const element = document.createElement("div");
      element.className = "changes-slice";
      if (rest) element.dataset.rest = "";
      if (slice.continued) element.dataset.continued = "";
      if (i === 0) draw(element, slice);
      else {
        element.dataset.state = "waiting";
        // Through the CSSOM: the CSP refuses style attributes.
        element.style.minHeight = `${slice.lines * LINE_PX}px`;
        elements.set(element, slice);
        observer.observe(element);
      }
      return element;
    }),
  );
  return { stop: () => observer.disconnect() };
}
