// Uploading into a session from the browser, in real Chromium against a real server: a file
// dropped on the terminal (with the overlay naming the folder), an image pasted into it, and the
// key bar's upload button on a phone. Each file lands in the session's .opendray/uploads and its
// path shows up typed in the terminal (a `cat -v` session, so the bracketed paste is visible).
// The Files panel's "Upload here" puts files into the folder it lists, beside a file of the same
// name unless "Replace a file with the same name" is ticked. Viewers get no upload button.

import { expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import {
  newPage,
  PHONE,
  shot,
  signIn,
  waitForLine,
  withServerAndBrowser,
} from "./support/browser.ts";
import type { TestServer } from "./support/server.ts";

let server: TestServer;
let browser: Browser;
const cwd = mkdtempSync(join(tmpdir(), "opendray-uploads-ui-"));
const uploads = join(cwd, ".opendray", "uploads");

withServerAndBrowser({}, (started, launched) => {
  [server, browser] = [started, launched];
});

async function catSession(): Promise<string> {
  const session = await server.spawnShell("printf 'ready\\n'; exec cat -v", { cwd });
  return session.id;
}

const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Console errors other than the expected noise: the /auth/me before signing in (401) and the CSP
 * refusing xterm's <style> elements (CspStyleBridge applies their rules).
 */
const unexpected = (errors: string[]) =>
  errors.filter(
    (e) => !/status of 401|Applying inline style violates .*'style-src 'self''/.test(e),
  );

/** The terminal shows `path` pasted (cat -v shows ESC as ^[; the paste ends with a space). */
function waitForPaste(page: Page, id: string, path: string) {
  return waitForLine(page, id, literal(`^[[200~${path} ^[[201~`));
}

test("a file dropped on the terminal is uploaded and its path typed", async () => {
  const id = await catSession();
  const { page, context, errors } = await newPage(browser);
  try {
    await signIn(page, server, `/s/${id}`);
    await waitForLine(page, id, "^ready$");
    const target = ".terminal-host:not([hidden])";
    const dataTransfer = await page.evaluateHandle(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File(["dropped bytes"], "drop.txt", { type: "text/plain" }));
      return transfer;
    });
    await page.dispatchEvent(target, "dragenter", { dataTransfer });
    const overlay = page.getByTestId("upload-drop");
    expect(await overlay.textContent()).toBe(`Drop to upload into ${cwd}/.opendray/uploads`);
    await shot(page, "upload-drop");
    await page.dispatchEvent(target, "drop", { dataTransfer });
    await overlay.waitFor({ state: "detached" });
    const path = join(uploads, "drop.txt");
    await waitForPaste(page, id, path);
    expect(readFileSync(path, "utf8")).toBe("dropped bytes");
    await page.getByRole("status", { name: "Uploads" }).getByText(`typed ${path}`).waitFor();
    expect(unexpected(errors)).toEqual([]);
  } finally {
    await context.close();
  }
});

test("an image pasted into the terminal is uploaded; a text paste still reaches the terminal", async () => {
  const id = await catSession();
  const { page, context, errors } = await newPage(browser);
  try {
    await signIn(page, server, `/s/${id}`);
    await waitForLine(page, id, "^ready$");
    const pasteInto = (kind: "image" | "text") =>
      page.evaluate((what) => {
        const transfer = new DataTransfer();
        if (what === "image") {
          const png = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]);
          transfer.items.add(new File([png], "image.png", { type: "image/png" }));
        } else {
          transfer.setData("text/plain", "plain words");
        }
        const textarea = document.querySelector(".terminal-host:not([hidden]) textarea");
        textarea?.dispatchEvent(
          new ClipboardEvent("paste", { clipboardData: transfer, bubbles: true, cancelable: true }),
        );
      }, kind);
    await pasteInto("image");
    const path = join(uploads, "image.png");
    await waitForPaste(page, id, path);
    expect([...readFileSync(path)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    const filesBefore = readdirSync(uploads);
    await pasteInto("text");
    // cat never asks for bracketed paste, so the terminal sends the text as it is.
    await waitForLine(page, id, "plain words$");
    expect(readdirSync(uploads)).toEqual(filesBefore);
    expect(unexpected(errors)).toEqual([]);
  } finally {
    await context.close();
  }
});

test("on a phone, the key bar's upload button opens the file chooser and uploads", async () => {
  const id = await catSession();
  const { page, context, errors } = await newPage(browser, PHONE);
  try {
    await signIn(page, server, `/s/${id}`);
    await waitForLine(page, id, "^ready$");
    await page.getByRole("button", { name: "More keys" }).tap();
    const keys = page.getByRole("toolbar", { name: "Terminal keys" });
    const chooser = page.waitForEvent("filechooser");
    await keys.getByRole("button", { name: "Upload files" }).tap();
    await (await chooser).setFiles({
      name: "camera photo.jpg",
      mimeType: "image/jpeg",
      buffer: Buffer.from([255, 216, 255, 224]),
    });
    const path = join(uploads, "camera photo.jpg");
    await waitForPaste(page, id, `'${path}'`);
    expect([...readFileSync(path)]).toEqual([255, 216, 255, 224]);
    await shot(page, "upload-phone");
    expect(unexpected(errors)).toEqual([]);
  } finally {
    await context.close();
  }
});

test("Upload here in Files puts files into the folder listed, replacing a name only if asked, never into a hidden folder", async () => {
  const project = mkdtempSync(join(tmpdir(), "opendray-uploads-here-"));
  const docs = join(project, "docs");
  mkdirSync(docs);
  mkdirSync(join(project, ".config"));
  const session = await server.spawnShell("printf 'ready\\n'; exec cat -v", { cwd: project });
  const { page, context, errors } = await newPage(browser);
  try {
    await signIn(page, server, `/s/${session.id}`);
    await waitForLine(page, session.id, "^ready$");
    await page.getByRole("button", { name: "Files", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Files" });
    await dialog.getByRole("button", { name: "docs" }).click();
    await dialog
      .getByRole("navigation", { name: "Folder" })
      .getByRole("button", { name: "docs" })
      .waitFor();
    const replace = dialog.getByRole("checkbox", { name: "Replace a file with the same name" });
    expect(await replace.isChecked()).toBe(false);
    const entries = dialog.locator(".files-list .files-name");
    const upload = async (text: string, listed: string, overwrite: boolean, dir = "docs") => {
      const answered = page.waitForResponse((r) => r.url().includes("/uploads?"));
      const chooser = page.waitForEvent("filechooser");
      await dialog.getByRole("button", { name: "Upload here" }).click();
      await (await chooser).setFiles({
        name: "note.txt",
        mimeType: "text/plain",
        buffer: Buffer.from(text),
      });
      const response = await answered;
      expect(response.status()).toBe(201);
      const query = new URL(response.url()).searchParams;
      expect([query.get("dir"), query.get("overwrite")]).toEqual([dir, overwrite ? "1" : null]);
      // The uploads list says where it went, and the listing shows the file.
      await dialog
        .getByRole("status", { name: "Uploads" })
        .getByText(`typed ${join(project, dir, listed)}`)
        .last()
        .waitFor();
      await dialog.locator(".files-list").getByText(listed, { exact: true }).waitFor();
    };
    await upload("first", "note.txt", false);
    await waitForPaste(page, session.id, join(docs, "note.txt"));
    expect(readFileSync(join(docs, "note.txt"), "utf8")).toBe("first");
    // The same name again: kept beside it.
    await upload("second", "note (1).txt", false);
    expect(readFileSync(join(docs, "note.txt"), "utf8")).toBe("first");
    expect(readFileSync(join(docs, "note (1).txt"), "utf8")).toBe("second");
    // Ticked: replaced, no third file.
    await replace.check();
    await upload("third", "note.txt", true);
    expect(readFileSync(join(docs, "note.txt"), "utf8")).toBe("third");
    expect(readdirSync(docs).sort()).toEqual(["note (1).txt", "note.txt"]);
    expect(await entries.allTextContents()).toEqual(["note (1).txt", "note.txt"]);
    expect(readdirSync(project).sort()).toEqual([".config", "docs"]);
    await shot(page, "upload-here");
    // The session's folder itself: an empty dir.
    await dialog
      .getByRole("navigation", { name: "Folder" })
      .getByRole("button", { name: project.split("/").pop() })
      .click();
    await dialog.locator(".files-list").getByText("docs", { exact: true }).waitFor();
    await upload("top", "note.txt", true, "");
    expect(readFileSync(join(project, "note.txt"), "utf8")).toBe("top");
    // A hidden folder is refused (tools run what they find there): the panel says why.
    await dialog.getByRole("button", { name: ".config" }).click();
    await dialog
      .getByRole("navigation", { name: "Folder" })
      .getByRole("button", { name: ".config" })
      .waitFor();
    const refused = page.waitForResponse((r) => r.url().includes("/uploads?"));
    const chooser = page.waitForEvent("filechooser");
    await dialog.getByRole("button", { name: "Upload here" }).click();
    await (await chooser).setFiles({
      name: "x.txt",
      mimeType: "text/plain",
      buffer: Buffer.from("x"),
    });
    expect((await refused).status()).toBe(400);
    await dialog
      .getByRole("status", { name: "Uploads" })
      .locator('li[data-state="failed"]', { hasText: "hidden folders are refused" })
      .waitFor();
    expect(readdirSync(join(project, ".config"))).toEqual([]);
    // The refused upload's 400, and nothing else.
    expect(unexpected(errors)).toEqual([
      "Failed to load resource: the server responded with a status of 400 (Bad Request)",
    ]);
  } finally {
    await context.close();
    rmSync(project, { recursive: true, force: true });
  }
});

test("viewers get no upload button", async () => {
  const id = await catSession();
  await server.createUser("uiviewer", "viewer");
  const { page, context } = await newPage(browser);
  try {
    await signIn(page, server, `/s/${id}`, {
      username: "uiviewer",
      password: "test password that is long",
    });
    await waitForLine(page, id, "^ready$");
    await page.getByText("read-only").waitFor();
    expect(await page.getByRole("button", { name: "Upload files" }).count()).toBe(0);
    await page.getByRole("button", { name: "Files", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Files" });
    await dialog
      .getByRole("button", { name: "Download folder (.tar.gz)" })
      .or(dialog.getByRole("link", { name: "Download folder (.tar.gz)" }))
      .waitFor();
    expect(await dialog.getByRole("button", { name: "Upload here" }).count()).toBe(0);
    expect(await dialog.getByRole("checkbox").count()).toBe(0);
  } finally {
    await context.close();
    rmSync(cwd, { recursive: true, force: true });
  }
});
