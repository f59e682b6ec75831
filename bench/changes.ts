// The Changes view of a 5 000-line diff in Chromium: a real git repository whose one TypeScript
// file had all of its 2 500 lines rewritten (2 500 removed, 2 500 added), a session in it, and
// the time from a click on the header's Changes button to the diff drawn by diff2html, its code
// highlighted, and the next frame painted (a large diff is drawn in slices: its first slice),
// then the time from a jump to the end of the list to its last lines drawn and painted. Timed in
// the page. Cold = the first opening of a fresh page (the diff renderer's chunk is fetched
// then); warm = closed and opened again.
// `bun bench/changes.ts [lines]` (default 5000); prints a table, medians of 5.

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import type { Session } from "../src/protocol/session.ts";
import { signedInBrowser } from "./browser.ts";
import { createCleanup } from "./cleanup.ts";
import { startBenchServer } from "./server-process.ts";
import { fixed, median, runs } from "./stats.ts";
import { renderTable } from "./table.ts";

const RUNS = 5;
const LINES = Number(process.argv[2] ?? 5000);

const cleanup = createCleanup();
const log = (line: string) => process.stderr.write(`${line}\n`);

/** `count` lines of TypeScript, each different; `version` changes every one of them. */
const source = (count: number, version: number) =>
  Array.from(
    { length: count },
    (_, i) =>
      `export function step${i}(value: number): string { return "step ${i} v${version}: " + (value * ${version + i}).toFixed(2); }\n`,
  ).join("");

function makeRepository(): string {
  const dir = mkdtempSync(join(tmpdir(), "opendray-bench-changes-"));
  cleanup.add(() => rmSync(dir, { recursive: true, force: true }));
  const git = (...args: string[]) =>
    execFileSync("git", args, {
      cwd: dir,
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: "bench",
        GIT_AUTHOR_EMAIL: "bench@example.com",
        GIT_COMMITTER_NAME: "bench",
        GIT_COMMITTER_EMAIL: "bench@example.com",
      },
    });
  git("init", "-q", "-b", "main");
  writeFileSync(join(dir, "steps.ts"), source(LINES / 2, 1));
  git("add", "-A");
  git("commit", "-q", "-m", "first");
  writeFileSync(join(dir, "steps.ts"), source(LINES / 2, 2));
  return dir;
}

/**
 * Milliseconds from the click on Changes to the first frame after the diff is drawn, timed in
 * the page (checked at every frame, no round trip to the bench in between).
 */
async function openAndTime(page: Page): Promise<number> {
  const elapsed = await page.evaluate(
    (timeoutMs) =>
      new Promise<number>((done, fail) => {
        const button = [
          ...document.querySelectorAll<HTMLButtonElement>(".session-head button"),
        ].find((b) => b.textContent === "Changes");
        if (!button) return fail(new Error("no Changes button"));
        const start = performance.now();
        button.click();
        const check = () => {
          if (document.querySelector('.changes-diff[data-state="drawn"]')) {
            // The drawing is synchronous: the next frame is the first that shows it.
            requestAnimationFrame(() => done(performance.now() - start));
          } else if (performance.now() - start > timeoutMs) fail(new Error("not drawn"));
          else requestAnimationFrame(check);
        };
        requestAnimationFrame(check);
      }),
    120_000,
  );
  return elapsed;
}

/** Milliseconds from a jump to the end of the open view to its last lines drawn and painted. */
async function scrollAndTime(page: Page): Promise<number> {
  return await page.evaluate(
    (timeoutMs) =>
      new Promise<number>((done, fail) => {
        const body = document.querySelector(".changes-body");
        if (!body) return fail(new Error("no open view"));
        const start = performance.now();
        body.scrollTop = body.scrollHeight;
        const check = () => {
          const slices = document.querySelectorAll(".changes-slice");
          if (slices[slices.length - 1]?.getAttribute("data-state") === "drawn") {
            requestAnimationFrame(() => done(performance.now() - start));
          } else if (performance.now() - start > timeoutMs) fail(new Error("not drawn"));
          else requestAnimationFrame(check);
        };
        requestAnimationFrame(check);
      }),
    120_000,
  );
}

const close = (page: Page) => page.getByRole("button", { name: "Close changes" }).click();

async function main() {
  const cwd = makeRepository();
  const server = await startBenchServer({ backend: "bun", env: {} }, cleanup);
  const created = await server.request("POST", "/sessions", {
    provider: "shell",
    cwd,
    args: ["-c", "exec cat"],
  });
  if (created.status !== 201) throw new Error(`session: ${created.status}`);
  const session = created.body as Session;
  const answer = await server.request("GET", `/sessions/${session.id}/changes`);
  const file = (answer.body as { files: { additions: number; deletions: number }[] }).files[0];
  log(
    `diff: +${file?.additions} −${file?.deletions} in ${JSON.stringify(answer.body).length} bytes of JSON`,
  );

  const origin = server.api.replace(/\/api\/v1$/, "");
  const { browser, storageState } = await signedInBrowser(server, cleanup);

  const cold: number[] = [];
  const warm: number[] = [];
  const end: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      storageState,
    });
    const page = await context.newPage();
    await page.goto(`${origin}/s/${session.id}`);
    await page.locator(".session-head").waitFor();
    cold.push(await openAndTime(page));
    end.push(await scrollAndTime(page));
    await close(page);
    warm.push(await openAndTime(page));
    await close(page);
    await context.close();
    log(
      `run ${run + 1}: cold ${fixed(cold.at(-1) ?? 0, 0)} ms, end ${fixed(end.at(-1) ?? 0, 0)} ms, warm ${fixed(warm.at(-1) ?? 0, 0)} ms`,
    );
  }
  const row = (name: string, values: number[]) => [
    name,
    `${fixed(median(values), 0)} ms`,
    runs(values, 0),
  ];
  process.stdout.write(
    `Changes view of a ${LINES}-line diff, side by side at 1440×900 (Chromium headless), medians of ${RUNS}\n`,
  );
  process.stdout.write(
    `${renderTable(
      ["opening", "click → diff drawn and painted", "runs (ms)"],
      [
        row("cold (first in the page)", cold),
        row("warm (opened again)", warm),
        row("then a jump to the end → its last lines drawn", end),
      ],
    )}\n`,
  );
}

try {
  await main();
} finally {
  await cleanup.runAll();
}
