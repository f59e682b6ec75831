// First paint of a reopened terminal with a full scrollback: a session prints about 4.4 MB of
// coloured build-log lines (more than the default 4 MiB ring), then a browser (headless Debian
// chromium) opens it; the server sends a snapshot of the terminal, not the ring. Timed from
// navigation start, in the page: the first output on screen, and the last line on screen.
// Cold = new browser profile; warm = reload with the service worker and HTTP cache.
// `bun bench/ui-paint.ts [MB]` (PAINT_PTY_HOST=inprocess for a server without the PTY host);
// prints a table, medians of 5.

import type { Page } from "playwright-core";
import { signedInBrowser } from "./browser.ts";
import { createCleanup } from "./cleanup.ts";
import { startBenchServer } from "./server-process.ts";
import { fixed, median, runs } from "./stats.ts";
import { renderTable } from "./table.ts";

const RUNS = 5;
const TARGET_BYTES = Number(process.argv[2] ?? 4.4) * 1_000_000;
const END = "END-OF-SCROLLBACK";

const cleanup = createCleanup();
const log = (line: string) => process.stderr.write(`${line}\n`);

/** Milliseconds since navigation start until the page shows output, and until it shows END. */
async function measure(page: Page, id: string): Promise<{ first: number; done: number }> {
  const probe = (marker: string | null) =>
    page.waitForFunction(
      ([sessionId, text]) => {
        const host = document.querySelector(`.terminal-host[data-session="${sessionId}"]`) as
          | (HTMLElement & { terminal?: { term: { buffer: { active: BufferLike } } } })
          | null;
        type BufferLike = {
          length: number;
          baseY: number;
          cursorY: number;
          getLine(y: number): { translateToString(trim: boolean): string } | undefined;
        };
        const buffer = host?.terminal?.term.buffer.active;
        if (!buffer) return false;
        const y = buffer.baseY + buffer.cursorY;
        if (text === null) {
          // Any text on any line: the buffer's length alone is its row count from the start.
          for (let row = 0; row < buffer.length; row++) {
            if (buffer.getLine(row)?.translateToString(true)) return performance.now();
          }
          return false;
        }
        for (let row = Math.max(0, y - 3); row <= y; row++) {
          if (buffer.getLine(row)?.translateToString(true).includes(text)) return performance.now();
        }
        return false;
      },
      [id, marker] as const,
      { polling: "raf", timeout: 60_000 },
    );
  const first = await probe(null);
  const done = await probe(END);
  return { first: Number(await first.jsonValue()), done: Number(await done.jsonValue()) };
}

async function main() {
  const server = await startBenchServer(
    { backend: "bun", env: { PTY_HOST: process.env.PAINT_PTY_HOST ?? "auto" } },
    cleanup,
  );
  // Lines like a build log: a coloured counter, a path, some words; TARGET_BYTES, then quiet.
  const script =
    `i=0; while [ $i -lt ${Math.ceil(TARGET_BYTES / 80)} ]; do i=$((i+1)); ` +
    `printf '\\033[32m%06d\\033[0m \\033[2msrc/module/file.ts\\033[0m compiling the sources of step %d of the build\\n' $i $i; done; ` +
    `echo ${END}; exec cat`;
  const session = await server.spawnShell(script);
  for (;;) {
    const now = await server.getSession(session.id);
    if (now.outputOffset >= TARGET_BYTES) break;
    await Bun.sleep(100);
  }
  await Bun.sleep(300);
  const bytes = (await server.getSession(session.id)).outputOffset;
  log(`session ${session.id}: ${bytes} bytes of scrollback`);

  const origin = server.api.replace(/\/api\/v1$/, "");
  const { browser, storageState } = await signedInBrowser(server, cleanup);
  const cold: { first: number; done: number }[] = [];
  const warm: { first: number; done: number }[] = [];
  for (let run = 0; run < RUNS; run++) {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      storageState,
    });
    const page = await context.newPage();
    await page.goto(`${origin}/s/${session.id}`);
    cold.push(await measure(page, session.id));
    await page.reload();
    warm.push(await measure(page, session.id));
    await context.close();
    log(
      `run ${run + 1}: cold ${fixed(cold.at(-1)?.done ?? 0)} ms, warm ${fixed(warm.at(-1)?.done ?? 0)} ms`,
    );
  }
  const row = (name: string, values: { first: number; done: number }[]) => [
    name,
    `${fixed(median(values.map((v) => v.first)), 0)} ms`,
    `${fixed(median(values.map((v) => v.done)), 0)} ms`,
    `first ${runs(
      values.map((v) => v.first),
      0,
    )}; all ${runs(
      values.map((v) => v.done),
      0,
    )}`,
  ];
  process.stdout.write(
    `UI first paint of a session that printed ${(bytes / 1e6).toFixed(2)} MB (Chromium headless, software WebGL), medians of ${RUNS}\n`,
  );
  process.stdout.write(
    `${renderTable(
      ["page load", "first output on screen", "whole scrollback painted", "runs (ms)"],
      [row("cold (new profile)", cold), row("warm (reload)", warm)],
    )}\n`,
  );
}

try {
  await main();
} finally {
  await cleanup.runAll();
}
