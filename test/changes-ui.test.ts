// The session's changes in the browser, in real Chromium against a real server and real git
// repositories: the header's Changes button lists the changed files and draws each diff side by
// side on a desktop and line by line on a phone, its code highlighted; binary files summarised
// with a download; the view refreshed on demand and when the session comes to rest; a
// repository's state (no repository, detached HEAD, a merge conflict) said plainly.

import { afterAll, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContextOptions, Locator, Page } from "playwright-core";
import { newPage, PHONE, shot, signIn, withServerAndBrowser } from "./support/browser.ts";
import { createRepo, type GitRepo } from "./support/git-repo.ts";
import type { TestServer } from "./support/server.ts";

let server: TestServer;
let browser: Browser;
const repos: GitRepo[] = [];
afterAll(() => {
  for (const repo of repos) rmSync(repo.dir, { recursive: true, force: true });
});

// A second of silence makes a session quiet (the Changes view then refreshes itself); each
// test signs in afresh, more often than the sign-in limit allows a minute.
withServerAndBrowser(
  { env: { IDLE_AFTER: "1s" }, loginLimit: { count: 1000, perMs: 60_000 } },
  (started, launched) => {
    [server, browser] = [started, launched];
  },
);

const APP = `import { serve } from "bun";

export interface Options {
  port: number;
  host: string;
}

/** Starts the server. */
export function start(options: Options) {
  const greeting = "hello";
  return serve({ port: options.port, fetch: () => new Response(greeting) });
}
`;

function project(): GitRepo {
  const repo = createRepo("changes-ui");
  repos.push(repo);
  repo.commit("first", {
    "src/app.ts": APP,
    "README.md": "# Demo\n\nA small project.\n",
    "logo.bin": new Uint8Array([0, 1, 2, 3, 4, 0]),
  });
  repo.write(
    "src/app.ts",
    APP.replace('const greeting = "hello";', 'const greeting = "hello, world";').replace(
      "  host: string;\n",
      "  host: string;\n  /** Seconds before an idle connection closes. */\n  idleTimeout?: number;\n",
    ),
  );
  repo.write("README.md", "# Demo\n\nA small project, with changes.\n");
  repo.git("add", "README.md");
  repo.write("logo.bin", new Uint8Array([0, 9, 9, 9, 4, 0]));
  repo.write("tools/check.py", "def check(value: int) -> bool:\n    return value > 0\n");
  return repo;
}

/** Console errors other than the /auth/me before signing in and xterm's refused inline styles. */
const unexpected = (errors: string[]) =>
  errors.filter(
    (e) => !/status of 401|Applying inline style violates .*'style-src 'self''/.test(e),
  );

async function openChanges(page: Page) {
  await page.getByRole("button", { name: "Changes", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Changes" });
  await dialog.getByTestId("repo-state").waitFor();
  return dialog;
}

const DESKTOP: BrowserContextOptions = { viewport: { width: 1440, height: 900 } };

/**
 * A session in `repo` opened in a fresh page, its Changes open: `check` runs on them, then the
 * console must hold no unexpected error.
 */
async function inChanges(
  repo: GitRepo,
  options: BrowserContextOptions,
  check: (page: Page, dialog: Locator) => Promise<void>,
) {
  const session = await server.spawnShell("exec cat", { cwd: repo.dir });
  const { page, context, errors } = await newPage(browser, options);
  try {
    await signIn(page, server, `/s/${session.id}`);
    await check(page, await openChanges(page));
    expect(unexpected(errors)).toEqual([]);
  } finally {
    await context.close();
  }
}

/** Waits until every diff of the dialog is drawn by diff2html. */
const drawn = (page: Page, count: number) =>
  page.waitForFunction(
    (n) => document.querySelectorAll('.changes-diff[data-state="drawn"]').length === n,
    count,
  );

test.each([
  ["desktop", "side-by-side", { viewport: { width: 1440, height: 900 } }],
  ["phone", "line-by-line", PHONE],
] as [string, string, BrowserContextOptions][])(
  "on a %s, Changes lists the files and draws their diffs %s, highlighted",
  async (name, layout, options) => {
    const repo = project();
    const session = await server.spawnShell("exec cat", { cwd: repo.dir });
    const { page, context, errors } = await newPage(browser, { ...options, acceptDownloads: true });
    try {
      await signIn(page, server, `/s/${session.id}`);
      const dialog = await openChanges(page);
      expect(await dialog.getByTestId("repo-state").textContent()).toBe(
        "On main · 4 changed files",
      );
      const list = dialog.getByRole("list", { name: "Changed files" });
      expect(await list.locator(".changes-letter").allTextContents()).toEqual(["M", "M", "M", "?"]);
      expect(await list.locator(".changes-path").allTextContents()).toEqual([
        "README.md",
        "logo.bin",
        "src/app.ts",
        "tools/check.py",
      ]);
      expect(
        await list
          .locator("li", { hasText: "src/app.ts" })
          .locator(".changes-counts")
          .textContent(),
      ).toBe("+3 −1");
      await drawn(page, 3);
      const diffs = dialog.locator(".changes-diff");
      expect(await diffs.first().getAttribute("data-layout")).toBe(layout);
      // Side by side: two panes per file; line by line: one.
      const sideBySide = await dialog.locator(".d2h-file-side-diff").count();
      const lineByLine = await dialog.locator(".d2h-file-diff").count();
      if (layout === "side-by-side") {
        expect(sideBySide).toBe(6);
        expect(lineByLine).toBe(0);
      } else {
        expect(sideBySide).toBe(0);
        expect(lineByLine).toBe(3);
      }
      // highlight.js marked the TypeScript and the Python.
      const app = dialog.getByRole("region", { name: "src/app.ts" });
      expect(await app.locator(".hljs-keyword").count()).toBeGreaterThan(0);
      expect(await app.locator(".hljs-string").allTextContents()).toContain('"hello"');
      const tool = dialog.getByRole("region", { name: "tools/check.py" });
      expect(await tool.locator(".hljs-keyword").allTextContents()).toContain("def");
      // The binary file is one line, with a download.
      const binary = dialog.getByRole("region", { name: "logo.bin" });
      expect(await binary.textContent()).toBe("logo.bin Binary file: not shown. Download");
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        binary.getByRole("link", { name: "Download logo.bin" }).click(),
      ]);
      expect(download.suggestedFilename()).toBe("logo.bin");
      // Refresh on demand.
      writeFileSync(join(repo.dir, "later.txt"), "written later\n");
      await dialog.getByRole("button", { name: "Refresh" }).click();
      await dialog.getByRole("region", { name: "later.txt" }).waitFor();
      await drawn(page, 4);
      if (name === "phone") {
        const box = await dialog.getByRole("button", { name: "Refresh" }).boundingBox();
        expect(box?.height).toBeGreaterThanOrEqual(44);
      }
      await dialog.getByRole("region", { name: "src/app.ts" }).scrollIntoViewIfNeeded();
      await list.scrollIntoViewIfNeeded();
      await shot(page, `changes-${name}`);
      expect(unexpected(errors)).toEqual([]);
    } finally {
      await context.close();
    }
  },
);

test("the view refreshes itself when the session comes to rest, never before", async () => {
  const repo = project();
  // The session waits for a line, then changes a file and prints: working, then quiet.
  const session = await server.spawnShell(
    "read line; printf 'export const added = true;\\n' >> src/app.ts; echo changed; exec cat",
    { cwd: repo.dir },
  );
  const { page, context, errors } = await newPage(browser, {
    viewport: { width: 1440, height: 900 },
  });
  try {
    await signIn(page, server, `/s/${session.id}`);
    const dialog = await openChanges(page);
    await drawn(page, 3);
    const app = dialog.getByRole("region", { name: "src/app.ts" });
    expect(await app.textContent()).not.toContain("added = true");
    const requests: string[] = [];
    page.on("request", (request) => {
      if (request.url().endsWith("/changes")) requests.push(request.url());
    });
    expect(
      (await server.request("POST", `/sessions/${session.id}/input`, { data: "go\n" })).status,
    ).toBe(204);
    await page.waitForFunction(() =>
      [...document.querySelectorAll(".changes-diff")].some((d) =>
        d.textContent?.includes("added = true"),
      ),
    );
    expect(requests.length).toBeGreaterThanOrEqual(1);
    expect(unexpected(errors)).toEqual([]);
  } finally {
    await context.close();
  }
});

test("of many changed files, only the diffs near the visible part are drawn, the rest on scrolling", async () => {
  const repo = createRepo("changes-ui-many");
  repos.push(repo);
  const files = Object.fromEntries(
    Array.from({ length: 30 }, (_, i) => [
      `src/m${String(i).padStart(2, "0")}.ts`,
      Array.from({ length: 60 }, (_, n) => `export const v${n} = ${n};\n`).join(""),
    ]),
  );
  repo.commit("first", files);
  for (const path of Object.keys(files))
    repo.write(path, (files[path] ?? "").replaceAll(" = ", " = 1 + "));
  await inChanges(repo, DESKTOP, async (page, dialog) => {
    await page.locator('.changes-diff[data-state="drawn"]').first().waitFor();
    const count = (state: string) => dialog.locator(`.changes-diff[data-state="${state}"]`).count();
    expect(await count("drawn")).toBeLessThan(10);
    expect(await count("waiting")).toBeGreaterThan(20);
    await dialog.getByRole("button", { name: "src/m29.ts" }).click();
    await dialog
      .getByRole("region", { name: "src/m29.ts" })
      .locator('.changes-diff[data-state="drawn"]')
      .waitFor();
    expect(
      await dialog.getByRole("region", { name: "src/m29.ts" }).locator(".hljs-keyword").count(),
    ).toBeGreaterThan(0);
  });
});

test.each([
  ["desktop", { viewport: { width: 1440, height: 900 } }],
  ["phone", PHONE],
] as [string, BrowserContextOptions][])(
  "on a %s, a large diff draws its first lines at once and the later ones when scrolled to",
  async (name, options) => {
    const repo = createRepo("changes-ui-large");
    repos.push(repo);
    const source = (version: number) =>
      Array.from(
        { length: 1500 },
        (_, i) => `export const step${i} = "line ${i} v${version}";\n`,
      ).join("");
    repo.commit("first", { "steps.ts": source(1) });
    repo.write("steps.ts", source(2));
    await inChanges(repo, options, async (page, dialog) => {
      await drawn(page, 1);
      const slices = dialog.locator(".changes-slice");
      // 3 000 lines in slices: the first drawn, most of the rest waiting.
      expect(await slices.count()).toBe(15);
      expect(await slices.first().getAttribute("data-state")).toBe("drawn");
      expect(await dialog.locator('.changes-slice[data-state="waiting"]').count()).toBeGreaterThan(
        10,
      );
      const diff = dialog.locator(".changes-diff");
      expect(await diff.textContent()).toContain('"line 0 v2"');
      expect(await diff.textContent()).not.toContain('"line 1499 v2"');
      // One file header, for the whole file.
      expect(await dialog.locator(".d2h-file-header:visible").count()).toBe(1);
      await slices.last().scrollIntoViewIfNeeded();
      await page.waitForFunction(
        () =>
          document.querySelector(".changes-slice:last-child")?.getAttribute("data-state") ===
          "drawn",
      );
      const last = slices.last();
      expect(await last.textContent()).toContain('"line 1499 v1"');
      expect(await last.textContent()).toContain('"line 1499 v2"');
      expect(await last.locator(".hljs-keyword").count()).toBeGreaterThan(0);
      if (name === "desktop") {
        // Side by side: the removed line beside its replacement, with its number.
        expect(await last.locator(".d2h-file-side-diff").count()).toBe(2);
        const [left, right] = await last.locator(".d2h-file-side-diff").all();
        expect(await left?.locator("tr").last().textContent()).toContain('"line 1499 v1"');
        expect(await right?.locator("tr").last().textContent()).toContain('"line 1499 v2"');
        expect(await left?.locator(".d2h-code-side-linenumber").last().textContent()).toContain(
          "1500",
        );
      } else {
        // Line by line: the slice's removed lines, then their replacements, the last one last.
        expect(await last.locator(".d2h-file-diff").count()).toBe(1);
        expect(await last.locator(".d2h-file-side-diff").count()).toBe(0);
        const rows = last.locator("tbody tr");
        expect(await rows.last().textContent()).toContain('"line 1499 v2"');
        expect(await last.locator(".d2h-del").last().textContent()).toContain('"line 1499 v1"');
      }
      expect(await dialog.locator(".d2h-file-header:visible").count()).toBe(1);
    });
  },
);

test("a minified file's long line is drawn without highlighting, a small file beside it with", async () => {
  const repo = createRepo("changes-ui-minified");
  repos.push(repo);
  const bundle = (fn: string) =>
    `${Array.from({ length: 8000 }, (_, i) => `var a${i}=${fn}(${i});`).join("")}\n`;
  repo.commit("first", { "bundle.min.js": bundle("f"), "small.js": "var x = 1;\n" });
  repo.write("bundle.min.js", bundle("g"));
  repo.write("small.js", "var x = 2;\n");
  await inChanges(repo, DESKTOP, async (page, dialog) => {
    await drawn(page, 2);
    const big = dialog.getByRole("region", { name: "bundle.min.js" });
    expect(await big.locator(".d2h-code-side-line").last().textContent()).toContain(
      "var a7999=g(7999);",
    );
    expect(await big.locator(".hljs, .hljs-keyword").count()).toBe(0);
    const small = dialog.getByRole("region", { name: "small.js" });
    expect(await small.locator(".hljs-keyword").allTextContents()).toContain("var");
  });
});

test("a repository's state is said plainly: none, detached HEAD, a merge conflict", async () => {
  const plain = createRepo("changes-ui-plain", { init: false });
  const detached = createRepo("changes-ui-detached");
  const merging = createRepo("changes-ui-merge");
  repos.push(plain, detached, merging);
  const first = detached.commit("first", { "a.txt": "a\n" });
  detached.commit("second", { "a.txt": "b\n" });
  detached.git("checkout", "-q", "--detach", first);
  merging.commit("base", { "f.txt": "base\n" });
  merging.git("checkout", "-q", "-b", "other");
  merging.commit("theirs", { "f.txt": "theirs\n" });
  merging.git("checkout", "-q", "main");
  merging.commit("ours", { "f.txt": "ours\n" });
  expect(() => merging.git("merge", "-q", "other")).toThrow();
  const { page, context, errors } = await newPage(browser);
  try {
    let signedIn = false;
    for (const [repo, said] of [
      [plain, "Not a git repository"],
      [detached, `Detached HEAD at ${first.slice(0, 7)} · no changes`],
      [merging, "Merge in progress: 1 conflicted file · On main · 1 changed file"],
    ] as const) {
      const session = await server.spawnShell("exec cat", { cwd: repo.dir });
      if (signedIn) await page.goto(`${server.url}/s/${session.id}`);
      else await signIn(page, server, `/s/${session.id}`);
      signedIn = true;
      const dialog = await openChanges(page);
      expect(await dialog.getByTestId("repo-state").textContent()).toBe(said);
      await dialog.getByRole("button", { name: "Close changes" }).click();
    }
    expect(unexpected(errors)).toEqual([]);
  } finally {
    await context.close();
  }
});
