// Worktrees in the browser, in real Chromium against a real server and a real git repository:
// the new-session dialog's checkbox and branch field (a refused name shown under it), the
// header's branch label, and the delete dialog's removal, refused while the worktree is dirty.

import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, realpathSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { sessionSchema } from "../src/protocol/session.ts";
import { newPage, shot, signIn, withServerAndBrowser } from "./support/browser.ts";
import { bodyOf, sessionListSchema } from "./support/responses.ts";
import type { TestServer } from "./support/server.ts";

let server: TestServer;
let browser: Browser;

withServerAndBrowser({}, (started, launched) => {
  [server, browser] = [started, launched];
});

const root = realpathSync(mkdtempSync(join(tmpdir(), "opendray-wt-ui-")));
const repo = join(root, "project");
afterAll(() => rmSync(root, { recursive: true, force: true }));

function git(cwd: string, ...args: string[]): string {
  const result = Bun.spawnSync(
    ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", ...args],
    { cwd, stdout: "pipe", stderr: "pipe" },
  );
  if (result.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${result.stderr}`);
  return result.stdout.toString().trim();
}

/** Console errors other than the /auth/me before signing in, xterm's refused inline styles and refusals the test asks for. */
const unexpected = (errors: string[]) =>
  errors.filter(
    (e) => !/status of (401|400|409)|Applying inline style violates .*'style-src 'self''/.test(e),
  );

test("on a desktop, a session is started in a new worktree, shows its branch, and is deleted with it", async () => {
  git(root, "init", "-q", "-b", "main", repo);
  writeFileSync(join(repo, "README.md"), "hello\n");
  git(repo, "add", ".");
  git(repo, "commit", "-q", "-m", "first");
  const { page, context, errors } = await newPage(browser);
  try {
    await signIn(page, server, "/");
    await page.getByRole("button", { name: "New", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "New session" });
    await dialog.getByLabel("Working directory").fill(repo);
    await dialog.getByLabel("Name (optional)").fill("ui work");
    await dialog.getByLabel("Run in a new git worktree").check();
    const branch = dialog.getByLabel(/Branch name/);
    await branch.fill("bad name");
    await dialog.getByRole("button", { name: "Start" }).click();
    const refusal = dialog.locator("#worktree-error");
    await refusal.waitFor();
    expect(await refusal.textContent()).toStartWith("worktree: a branch name starts with");
    expect(await branch.getAttribute("aria-invalid")).toBe("true");

    await branch.fill("ui-branch");
    await dialog.getByRole("button", { name: "Start" }).click();
    const label = page.getByTestId("worktree-branch");
    await label.waitFor();
    expect(await label.textContent()).toBe("⎇ opendray/ui-branch");
    // Shown whole, not cut short by the folder beside it.
    expect(await label.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    const path = `${repo}.worktrees/ui-branch`;
    expect(await page.locator(".session-head .cwd").textContent()).toBe(path);

    // Dirty: the removal is refused with the server's words, nothing is deleted.
    writeFileSync(join(path, "notes.txt"), "unsaved\n");
    await page.locator(".session-head").getByLabel("Session actions").click();
    await page.locator(".session-head").getByRole("button", { name: "Delete" }).click();
    const confirm = page.getByRole("dialog", { name: "Delete session?" });
    await confirm.getByRole("button", { name: "Delete session and remove worktree" }).click();
    const failed = confirm.getByTestId("delete-error");
    await failed.waitFor();
    expect(await failed.textContent()).toBe(
      `the worktree ${path} has 1 untracked file (notes.txt); commit or discard them first, or keep the worktree`,
    );
    await shot(page, "worktree-delete");
    expect(existsSync(join(path, "notes.txt"))).toBe(true);

    // Stopped, it is a finished session: Clear ended says its worktree stays.
    await confirm.getByRole("button", { name: "Cancel" }).click();
    const { sessions } = bodyOf(await server.request("GET", "/sessions"), 200, sessionListSchema);
    const id = sessions.find((session) => session.worktree?.path === path)?.id;
    expect(
      bodyOf(await server.request("POST", `/sessions/${id}/stop`), 200, sessionSchema).state,
    ).not.toBe("running");
    await page.getByRole("button", { name: "Clear ended" }).click();
    const clearing = page.getByRole("dialog", { name: "Clear ended sessions?" });
    await clearing
      .getByText("One of them runs in a git worktree: the worktree and its branch are kept.", {
        exact: false,
      })
      .waitFor();
    await clearing.getByRole("button", { name: "Cancel" }).click();
    await page.locator(".session-head").getByLabel("Session actions").click();
    await page.locator(".session-head").getByRole("button", { name: "Delete" }).click();

    unlinkSync(join(path, "notes.txt"));
    await confirm.getByRole("button", { name: "Delete session and remove worktree" }).click();
    await confirm.waitFor({ state: "detached" });
    const notice = page.getByTestId("notice");
    await notice.waitFor();
    expect(await notice.textContent()).toBe(
      `removed ${path} and its merged branch opendray/ui-branch`,
    );
    expect(existsSync(path)).toBe(false);
    expect(git(repo, "branch", "--format=%(refname:short)")).toBe("main");
    expect(unexpected(errors)).toEqual([]);
  } finally {
    await context.close();
  }
});
