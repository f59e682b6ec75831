// The session's files in the browser, in real Chromium against a real server, on a desktop and
// on a phone: the header's Files button opens the folder, a folder is entered and left through
// the breadcrumb, a text file is previewed, an image shown, and a file downloaded.

import { expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContextOptions } from "playwright-core";
import { newPage, PHONE, shot, signIn, withServerAndBrowser } from "./support/browser.ts";
import type { TestServer } from "./support/server.ts";

let server: TestServer;
let browser: Browser;
const cwd = mkdtempSync(join(tmpdir(), "opendray-files-ui-"));
mkdirSync(join(cwd, "src"));
writeFileSync(join(cwd, "src", "main.ts"), "export const answer = 42;\n");
writeFileSync(join(cwd, "README.md"), "# Project\n\nNotes for the agent.\n");
writeFileSync(join(cwd, ".env"), "TOKEN=1\n");
writeFileSync(join(cwd, "data.bin"), new Uint8Array([0, 1, 2]));
// A 2×2 red PNG.
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEklEQVR4nGP4z8DAwMDAwMDAAAALBAH/0q2P6QAAAABJRU5ErkJggg==",
  "base64",
);
writeFileSync(join(cwd, "shot.png"), PNG);

withServerAndBrowser({}, (started, launched) => {
  [server, browser] = [started, launched];
});

/** Console errors other than the /auth/me before signing in and xterm's refused inline styles. */
const unexpected = (errors: string[]) =>
  errors.filter(
    (e) => !/status of 401|Applying inline style violates .*'style-src 'self''/.test(e),
  );

test.each([
  ["desktop", {}],
  ["phone", PHONE],
] as [string, BrowserContextOptions][])(
  "on a %s, Files browses, previews, shows and downloads",
  async (name, options) => {
    const session = await server.spawnShell("exec cat", { cwd });
    const { page, context, errors } = await newPage(browser, { ...options, acceptDownloads: true });
    try {
      await signIn(page, server, `/s/${session.id}`);
      await page.getByRole("button", { name: "Files", exact: true }).click();
      const files = page.getByRole("dialog", { name: "Files" });
      const list = files.getByRole("list");
      await list.getByRole("button", { name: "README.md" }).waitFor();
      // Folders first, hidden files listed too.
      const names = await list.locator(".files-name").allTextContents();
      expect(names).toEqual(["src", ".env", "README.md", "data.bin", "shot.png"]);
      expect(
        await list.locator("li", { hasText: "README.md" }).locator(".files-meta").textContent(),
      ).toStartWith("32 B · ");

      await list.getByRole("button", { name: "src" }).click();
      await list.getByRole("button", { name: "main.ts" }).waitFor();
      await list.getByRole("button", { name: "main.ts" }).click();
      expect(await files.getByTestId("file-preview").textContent()).toBe(
        "export const answer = 42;\n",
      );
      await files.getByRole("button", { name: "← Back" }).click();
      await files
        .getByRole("navigation", { name: "Folder" })
        .getByRole("button", { name: cwd.split("/").pop() })
        .click();
      await list.getByRole("button", { name: "shot.png" }).click();
      const image = files.getByRole("img", { name: "shot.png" });
      await image.waitFor();
      await page.waitForFunction(() => {
        const img = document.querySelector<HTMLImageElement>(".files-image");
        return img?.complete && img.naturalWidth === 2;
      });
      await files.getByRole("button", { name: "← Back" }).click();
      await list.getByRole("button", { name: "data.bin" }).click();
      expect(await files.getByTestId("file-preview").textContent()).toBe(
        "This looks like a binary file: download it to open it.",
      );
      await files.getByRole("button", { name: "← Back" }).click();
      if (name === "phone") {
        const box = await list.getByRole("link", { name: "Download README.md" }).boundingBox();
        expect(box?.height).toBeGreaterThanOrEqual(44);
        expect(box?.width).toBeGreaterThanOrEqual(44);
        await shot(page, "phone-files");
      }
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        list.getByRole("link", { name: "Download README.md" }).click(),
      ]);
      expect(download.suggestedFilename()).toBe("README.md");
      expect(readFileSync((await download.path()) ?? "", "utf8")).toBe(
        readFileSync(join(cwd, "README.md"), "utf8"),
      );
      const [archive] = await Promise.all([
        page.waitForEvent("download"),
        files.getByRole("link", { name: "Download folder (.tar.gz)" }).click(),
      ]);
      expect(archive.suggestedFilename()).toEndWith(".tar.gz");
      expect(unexpected(errors)).toEqual([]);
    } finally {
      await context.close();
    }
  },
);
