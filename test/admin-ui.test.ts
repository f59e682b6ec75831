// The admin pages in real headless Chromium against a real server: a provider's settings (API
// keys write-only, the API's errors beside their field), users (create, refuse a weak password,
// delete after confirming, never oneself), the account's password change, what viewers see, and
// the three pages on a phone (44 px targets, no sideways scrolling).

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { providerInfoSchema } from "../src/protocol/providers.ts";
import { newPage, PHONE, shot, signIn, withServerAndBrowser } from "./support/browser.ts";
import { bodyOf, userListSchema } from "./support/responses.ts";
import { ADMIN, eventually, type TestServer } from "./support/server.ts";

let server: TestServer;
let browser: Browser;

withServerAndBrowser({ loginLimit: { count: 1000, perMs: 60_000 } }, (started, launched) => {
  [server, browser] = [started, launched];
});

const claudeAnswer = () => server.request("GET", "/providers/claude");
const claude = async () => bodyOf(await claudeAnswer(), 200, providerInfoSchema);

/** Everything of the page a secret could hide in: its markup and every input's current value. */
const pageText = (page: Page) =>
  page.evaluate(() =>
    [
      document.documentElement.outerHTML,
      ...[...document.querySelectorAll("input")].map((input) => input.value),
    ].join("\n"),
  );

describe("admin", () => {
  let page: Page;
  let context: BrowserContext;
  let errors: string[];

  beforeAll(async () => {
    ({ page, context, errors } = await newPage(browser));
    await signIn(page, server, "/providers");
  });
  afterAll(() => context.close());

  test("an API key set on the settings page is stored, shown only as set, and cleared", async () => {
    await page.getByRole("link", { name: "Claude Code settings" }).click();
    await page.waitForURL(/\/providers\/claude$/);
    const key = page.getByLabel("Anthropic API key", { exact: true });
    const state = page.locator("#secret-apiKey-state");
    await expect(state.textContent()).resolves.toBe("not set");

    const secret = `sk-ant-${crypto.randomUUID()}`;
    await key.fill(secret);
    await page.getByLabel("Default arguments").fill(`--verbose "two words"`);
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("status").getByText("Saved.").waitFor();
    const savedAnswer = await claudeAnswer();
    const saved = bodyOf(savedAnswer, 200, providerInfoSchema);
    expect(saved.secretsSet).toEqual(["apiKey"]);
    expect(saved.defaultArgs).toEqual(["--verbose", "two words"]);
    // The whole answer, not its parse (which drops keys the schema does not know).
    expect(JSON.stringify(savedAnswer.body)).not.toContain(secret);
    await expect(state.textContent()).resolves.toBe("set");
    await expect(key.inputValue()).resolves.toBe("");
    expect(await pageText(page)).not.toContain(secret);
    // Opened afresh, the page knows only that a key is set.
    await page.reload();
    await expect(state.textContent()).resolves.toBe("set");
    await expect(page.getByLabel("Default arguments").inputValue()).resolves.toBe(
      "--verbose 'two words'",
    );
    expect(await pageText(page)).not.toContain(secret);
    await shot(page, "desktop-provider-settings", { fullPage: true });

    await page.getByRole("button", { name: "Clear Anthropic API key" }).click();
    const dialog = page.getByRole("dialog", { name: "Clear Anthropic API key?" });
    await dialog.getByRole("button", { name: "Clear" }).click();
    await page.locator('#secret-apiKey-state[data-set="false"]').waitFor();
    await expect(state.textContent()).resolves.toBe("not set");
    expect((await claude()).secretsSet).toEqual([]);
    await expect(
      page.getByRole("button", { name: "Clear Anthropic API key" }).isDisabled(),
    ).resolves.toBe(true);
  });

  test("a value the API refuses shows its error beside the field, and nothing is saved", async () => {
    await page.goto(`${server.url}/providers/claude`);
    const before = await claude();
    // A value after a flag must not read as a flag: the API answers 400 config_invalid.
    const dir = page.getByLabel("Extra directory");
    await dir.fill("-rf");
    await page.getByRole("button", { name: "Save" }).click();
    const error = page.locator("#config-addDir-error");
    await error.waitFor();
    expect(await error.textContent()).toBe('config.addDir must not start with "-"');
    await expect(dir.getAttribute("aria-invalid")).resolves.toBe("true");
    expect(await claude()).toEqual(before);

    // Longer than the API takes (16 KiB): the schema's message, beside the key.
    await dir.fill("");
    await page.getByLabel("Anthropic API key", { exact: true }).fill("k".repeat(16_385));
    await page.getByRole("button", { name: "Save" }).click();
    await page
      .locator("#secret-apiKey-error")
      .getByText(/^secrets\.apiKey: /)
      .waitFor();
    expect((await claude()).secretsSet).toEqual([]);

    // A quote left open is caught before asking the server.
    await page.getByLabel("Anthropic API key", { exact: true }).fill("");
    await page.getByLabel("Default arguments").fill(`--add-dir "/srv`);
    await page.getByRole("button", { name: "Save" }).click();
    await page.locator("#default-args-error").getByText("never closed").waitFor();
    expect(await claude()).toEqual(before);
  });

  test("each setting saves as its type; emptied or back to default, it is removed", async () => {
    await page.goto(`${server.url}/providers/claude`);
    const save = async () => {
      await page.getByRole("button", { name: "Save" }).click();
      await page.getByRole("status").getByText("Saved.").waitFor();
    };
    await page.getByLabel("Permission mode").selectOption("plan");
    await page.getByLabel("Verbose").selectOption("On");
    await page.getByLabel("Disable self-update").selectOption("Off");
    await page.getByLabel("Extra arguments").fill(`--foo "a b"`);
    await page.getByLabel("Extra directory").fill("/srv/shared");
    await save();
    expect((await claude()).config).toEqual({
      permissionMode: "plan",
      verbose: true,
      disableAutoupdater: false,
      extraArgs: ["--foo", "a b"],
      addDir: "/srv/shared",
    });

    await page.getByLabel("Permission mode").selectOption("Not set");
    await page.getByLabel("Verbose").selectOption("Default (off)");
    await page.getByLabel("Disable self-update").selectOption("Default (off)");
    await page.getByLabel("Extra arguments").fill("");
    await page.getByLabel("Extra directory").fill("");
    await page.getByLabel("Default arguments").fill("");
    await page.getByLabel("Enabled").uncheck();
    await save();
    const cleared = await claude();
    expect([cleared.config, cleared.defaultArgs, cleared.enabled]).toEqual([{}, [], false]);
    await page.getByLabel("Enabled").check();
    await save();
    expect((await claude()).enabled).toBe(true);
  });

  test("checking again probes the provider's executable anew", async () => {
    await page.goto(`${server.url}/providers/claude`);
    const probed = page.waitForResponse(
      (response) =>
        response.url().endsWith("/api/v1/providers/claude/refresh") &&
        response.request().method() === "POST",
    );
    await page.getByRole("button", { name: "Check again" }).click();
    expect((await probed).status()).toBe(200);
    await page.getByRole("button", { name: "Check again" }).and(page.locator(":enabled")).waitFor();
  });

  test("a user created on the users page can sign in; a weak password shows the API's reason", async () => {
    await page.getByRole("link", { name: "Users" }).click();
    await page.getByRole("heading", { name: "Users" }).waitFor();
    const form = page.getByRole("region", { name: "Add a user" });
    await form.getByLabel("Username").fill("casey");
    await form.getByLabel("Password").fill("short");
    await form.getByRole("button", { name: "Add user" }).click();
    await form.getByRole("alert").getByText("password must be at least 12 characters").waitFor();
    const names = async () =>
      bodyOf(await server.request("GET", "/users"), 200, userListSchema).users.map(
        (user) => user.username,
      );
    expect(await names()).not.toContain("casey");

    const password = "casey's long enough password";
    await form.getByLabel("Password").fill(password);
    await form.getByLabel("Role").selectOption("viewer");
    await form.getByRole("button", { name: "Add user" }).click();
    await form.getByRole("status").getByText("casey can sign in now.").waitFor();
    await page.getByRole("list", { name: "Accounts" }).getByText("casey").waitFor();
    expect(await names()).toContain("casey");

    const other = await newPage(browser);
    try {
      await signIn(other.page, server, "/", { username: "casey", password });
      await other.page.getByText("casey (viewer)").waitFor();
    } finally {
      await other.context.close();
    }
  });

  test("deleting a user asks first; one's own account cannot be deleted", async () => {
    await page.goto(`${server.url}/users`);
    const own = page.getByRole("button", { name: "Delete admin" });
    await own.waitFor();
    expect(await own.isDisabled()).toBe(true);
    expect(await own.getAttribute("aria-describedby")).toBe("self-reason");
    await expect(page.locator("#self-reason").textContent()).resolves.toContain("This is you");

    await page.getByRole("button", { name: "Delete casey" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete casey?" });
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "detached" });
    const users = async () =>
      bodyOf(await server.request("GET", "/users"), 200, userListSchema).users;
    expect(await users()).toHaveLength(2);

    await page.getByRole("button", { name: "Delete casey" }).click();
    await dialog.getByRole("button", { name: "Delete" }).click();
    await page.getByRole("button", { name: "Delete casey" }).waitFor({ state: "detached" });
    await eventually(async () => ((await users()).length === 1 ? true : undefined), "casey gone");
    await expect(
      server.send(
        "POST",
        "/auth/login",
        { username: "casey", password: "casey's long enough password" },
        {},
      ),
    ).resolves.toMatchObject({ status: 401 });
  });

  test("the admin pages made no script errors", () => {
    // Expected noise: the first /auth/me before signing in (401) and the refusals the tests
    // provoke (400), which Chromium logs as failed resources.
    expect(errors.filter((e) => !/status of 40[01]\b/.test(e))).toEqual([]);
  });
});

describe("account", () => {
  test("a password change needs the current one and matching new ones, then signs in anew", async () => {
    const { token: before } = await server.createUser("pat", "viewer");
    const { page, context } = await newPage(browser);
    try {
      await signIn(page, server, "/", { username: "pat", password: ADMIN.password });
      await page.getByRole("link", { name: "Account" }).click();
      const form = page.getByRole("region", { name: "Change password" });
      const next = "pat's brand new passphrase";
      const fill = async (current: string, first: string, again: string) => {
        await form.getByLabel("Current password").fill(current);
        await form.getByLabel("New password", { exact: true }).fill(first);
        await form.getByLabel("New password again").fill(again);
        await form.getByRole("button", { name: "Change password" }).click();
      };

      await fill(ADMIN.password, next, `${next}!`);
      await form.getByRole("alert").getByText("The new passwords do not match.").waitFor();

      await fill("not the password at all", next, next);
      await form.getByRole("alert").getByText("The current password is wrong.").waitFor();
      // Still signed in: a wrong current password is not an expired sign-in.
      expect(new URL(page.url()).pathname).toBe("/account");
      expect(await server.login("pat", ADMIN.password)).toBeString();

      await fill(ADMIN.password, next, next);
      await form.getByRole("status").getByText("Password changed.").waitFor();
      // Tokens from before the change are refused; this browser's new cookie works.
      const old = await server.send("GET", "/auth/me", undefined, {
        authorization: `Bearer ${before}`,
      });
      expect(old.status).toBe(401);
      await page.getByRole("link", { name: "Providers" }).click();
      await page.getByText("Shell", { exact: true }).waitFor();

      await page.getByRole("button", { name: "Sign out" }).click();
      await page.waitForURL(/\/login/);
      await signIn(page, server, "/account", { username: "pat", password: next });
      await page.getByRole("heading", { name: "Account" }).waitFor();
    } catch (error) {
      await shot(page, "failed-account", { fullPage: true });
      throw error;
    } finally {
      await context.close();
    }
  });
});

describe("viewer", () => {
  test("a viewer sees no admin links and is told why an admin page's address is closed", async () => {
    await server.createUser("vera", "viewer");
    const { page, context } = await newPage(browser);
    try {
      await signIn(page, server, "/providers", { username: "vera", password: ADMIN.password });
      await page.getByText("Shell", { exact: true }).waitFor();
      const nav = page.getByRole("navigation");
      await nav.getByRole("link", { name: "Account" }).waitFor();
      for (const name of ["Users", "Audit"]) {
        expect(await nav.getByRole("link", { name }).count()).toBe(0);
      }
      expect(
        await page
          .getByRole("main")
          .getByRole("link", { name: /settings$/ })
          .count(),
      ).toBe(0);
      for (const path of ["/users", "/providers/claude", "/audit"]) {
        await page.goto(`${server.url}${path}`);
        const alert = page.getByRole("alert");
        await alert.getByRole("heading", { name: "Admins only" }).waitFor();
        expect(await alert.textContent()).toContain("vera, a viewer (403 forbidden)");
      }
      await expect(page.getByRole("textbox").count()).resolves.toBe(0);
    } finally {
      await context.close();
    }
  });
});

describe("phone", () => {
  /** Visible controls of the page's <main> smaller than 44×44 px (a checkbox counts its label). */
  const smallTargets = (page: Page) =>
    page.evaluate(() => {
      const controls = document.querySelectorAll<HTMLElement>(
        "main a[href], main button, main input, main select, main textarea",
      );
      return [...controls].flatMap((control) => {
        const box =
          control instanceof HTMLInputElement && ["checkbox", "radio"].includes(control.type)
            ? (control.closest("label") ?? control)
            : control;
        const rect = box.getBoundingClientRect();
        if (rect.width === 0 && rect.height === 0) return [];
        return rect.width >= 44 && rect.height >= 44
          ? []
          : [`${control.outerHTML.slice(0, 80)} ${rect.width}×${rect.height}`];
      });
    });
  /**
   * Text of <main> under WCAG AA's 4.5:1 against the background it is drawn on (the nearest
   * opaque one up the tree), as "text: ratio".
   */
  const lowContrast = (page: Page) =>
    page.evaluate(() => {
      const rgb = (color: string) => (color.match(/[\d.]+/g) ?? []).map(Number);
      const luminance = ([r = 0, g = 0, b = 0]: number[]) => {
        const [R, G, B] = [r, g, b].map((c) => {
          const v = c / 255;
          return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * (R ?? 0) + 0.7152 * (G ?? 0) + 0.0722 * (B ?? 0);
      };
      const background = (element: Element | null): string => {
        for (let at = element; at; at = at.parentElement) {
          const color = getComputedStyle(at).backgroundColor;
          if ((rgb(color)[3] ?? 1) > 0.5) return color;
        }
        return getComputedStyle(document.body).backgroundColor;
      };
      const texts = [...document.querySelectorAll("main *")].filter((element) =>
        [...element.childNodes].some((node) => node.nodeType === 3 && node.textContent?.trim()),
      );
      return texts.flatMap((element) => {
        const [a, b] = [
          luminance(rgb(getComputedStyle(element).color)),
          luminance(rgb(background(element))),
        ];
        const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        const disabled = element.closest(":disabled") !== null;
        return ratio >= 4.5 || disabled
          ? []
          : [`${element.textContent?.trim().slice(0, 40)}: ${ratio.toFixed(2)}`];
      });
    });
  const overflow = (page: Page) =>
    page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

  test.each([
    ["light", "/providers/claude", "Claude Code settings"],
    ["light", "/users", "Users"],
    ["light", "/account", "Account"],
    ["light", "/providers", "Providers"],
    ["dark", "/providers/claude", "Claude Code settings"],
    ["dark", "/users", "Users"],
    ["dark", "/account", "Account"],
  ] as const)(
    "%s, %s: 44 px targets, nothing wider than the screen",
    async (scheme, path, heading) => {
      const { page, context } = await newPage(browser, { ...PHONE, colorScheme: scheme });
      try {
        await signIn(page, server, path);
        await page.getByRole("heading", { name: heading, exact: true }).waitFor();
        await page.locator("main :is(button, input:not([hidden]))").first().waitFor();
        expect(await smallTargets(page)).toEqual([]);
        expect(await overflow(page)).toBeLessThanOrEqual(0);
        expect(await page.evaluate(() => matchMedia("(prefers-color-scheme: dark)").matches)).toBe(
          scheme === "dark",
        );
        expect(await lowContrast(page)).toEqual([]);
        await shot(
          page,
          `phone-${path.slice(1).replaceAll("/", "-")}${scheme === "dark" ? "-dark" : ""}`,
          { fullPage: true },
        );
      } finally {
        await context.close();
      }
    },
  );
});
