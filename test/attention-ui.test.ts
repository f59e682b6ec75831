// Attention in the browser UI, in real headless Chromium against a real server: a shell's
// "[y/N]" prompt marks its row, counts in the tab's title and favicon, and waits in the inbox
// with Yes and No; Yes answers it (the shell reads "y") and it leaves. A prompt that changed
// meanwhile is reported, not retried; viewers cannot answer. The server's push message (taken
// from a push-service stand-in) delivered to the service worker through the DevTools protocol
// becomes a notification whose "Yes" answers; a spent answer opens the session instead. The
// notification settings page saves what notifies, lists and removes devices, and says why a
// browser that cannot subscribe did not; turned on there, the tab's own notifications show
// the prompt. Screenshots of the inbox and the settings go to docs/screenshots/.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser, BrowserContext, Page, Worker } from "playwright-core";
import type { PushPayload } from "../src/protocol/push.ts";
import { launchBrowser, newPage, PHONE, shot, signIn, WAIT_MS } from "./support/browser.ts";
import { type PushService, startPushService } from "./support/push-service.ts";
import { bodyOf, pushSubscriptionListSchema } from "./support/responses.ts";
import { ADMIN, eventually, outputOf, startTestServer, type TestServer } from "./support/server.ts";

let push: PushService;
let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  push = startPushService();
  [server, browser] = await Promise.all([
    startTestServer({
      loginLimit: { count: 1000, perMs: 60_000 },
      env: { PUSH_ALLOW_HOSTS: "localhost" },
      pushCa: push.ca,
    }),
    launchBrowser(),
  ]);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.dispose();
  await push?.stop();
});

const QUESTION = "Delete the build folder? [y/N]";

/** A shell that asks QUESTION, prints what it read, then waits on `cat`. */
const spawnAsking = (name: string) =>
  server.spawnShell(`read -r -p "${QUESTION} " reply; echo "reply=$reply"; exec cat`, { name });

/** Wait until the server's activity of session `id` is `state`. */
const activityIs = (id: string, state: string) =>
  eventually(async () => {
    const body = await server.getSession(id);
    return body.activity?.state === state ? true : undefined;
  }, `activity ${state}`);

/** Wait until the session's output has `text`. */
const outputHas = (id: string, text: string) =>
  eventually(async () => {
    const output = await outputOf(server, id);
    return output.text.includes(text) ? output.text : undefined;
  }, `output with ${text}`);

const favicon = (page: Page) =>
  page.evaluate(() => document.querySelector('link[rel="icon"]')?.getAttribute("href") ?? "");

describe("a waiting prompt", () => {
  test("marks its row, counts in the title and favicon, and Yes in the inbox answers it", async () => {
    const { page, context, errors } = await newPage(browser, PHONE);
    try {
      await signIn(page, server);
      await page.waitForFunction(() => document.title === "OpenDray");
      expect(await favicon(page)).toBe("/icon.svg");
      const session = await spawnAsking("cleanup");

      const row = page.getByRole("link", { name: /cleanup/ });
      await row.getByText("needs you", { exact: true }).waitFor();
      await page.waitForFunction(() => document.title === "(1) OpenDray");
      await page.waitForFunction(() =>
        document
          .querySelector('link[rel="icon"]')
          ?.getAttribute("href")
          ?.startsWith("data:image/png;base64,"),
      );

      await page.getByRole("link", { name: "Inbox, 1 waiting" }).click();
      await page.waitForURL(/\/inbox$/);
      const entry = page.getByRole("listitem", { name: "cleanup" });
      await entry.getByText(QUESTION, { exact: true }).waitFor();
      await entry.getByRole("button", { name: "No", exact: true }).waitFor();
      await shot(page, "phone-inbox");
      await entry.getByRole("button", { name: "Yes", exact: true }).click();

      await entry.waitFor({ state: "detached" });
      await page.getByText("Nothing needs you.").waitFor();
      await page.waitForFunction(() => document.title === "OpenDray");
      expect(await favicon(page)).toBe("/icon.svg");
      expect(await page.getByRole("link", { name: "Inbox", exact: true }).count()).toBe(1);
      await outputHas(session.id, "reply=y");
      expect(errors.filter((e) => !/401/.test(e))).toEqual([]);
    } finally {
      await context.close();
    }
  });

  test("a prompt that changed is reported and not retried; Open goes to the session", async () => {
    const session = await spawnAsking("changing");
    await activityIs(session.id, "waiting");
    const { page, context } = await newPage(browser, PHONE);
    try {
      await signIn(page, server, "/inbox");
      const entry = page.getByRole("listitem", { name: "changing" });
      // The server's answer when another prompt, or none, waits by the time the answer comes.
      let answers = 0;
      await page.route("**/api/v1/sessions/*/answer", (route) => {
        answers++;
        return route.fulfill({
          status: 409,
          contentType: "application/json",
          body: JSON.stringify({ error: { code: "prompt_changed", message: "another prompt" } }),
        });
      });
      await entry.getByRole("button", { name: "No", exact: true }).click();
      await entry.getByRole("alert").getByText("That prompt changed; open the session").waitFor();
      expect(answers).toBe(1);
      expect((await outputOf(server, session.id)).text).not.toContain("reply=");

      await entry.getByRole("button", { name: "Open" }).click();
      await page.waitForURL(new RegExp(`/s/${session.id}$`));
      await page
        .getByRole("tab", { name: /changing/ })
        .getByLabel("Waiting for you")
        .waitFor();
    } finally {
      await context.close();
    }
  });

  test("a viewer sees the prompt but cannot answer it", async () => {
    const session = await spawnAsking("asked of admins");
    await activityIs(session.id, "waiting");
    await server.createUser("onlooker", "viewer");
    const { page, context } = await newPage(browser, PHONE);
    try {
      await signIn(page, server, "/inbox", { username: "onlooker", password: ADMIN.password });
      const entry = page.getByRole("listitem", { name: "asked of admins" });
      await entry.getByText(QUESTION, { exact: true }).waitFor();
      expect(await entry.getByRole("button", { name: "Yes", exact: true }).isDisabled()).toBe(true);
      expect(await entry.getByRole("button", { name: "No", exact: true }).isDisabled()).toBe(true);
      await entry.getByText("Viewers cannot answer.").waitFor();
    } finally {
      await context.close();
    }
  });
});

/** The app's service worker, once it runs. */
async function serviceWorker(page: Page, context: BrowserContext): Promise<Worker> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  // The newest, looked up each time it is used: Chromium may stop an idle worker and start
  // another for a push.
  return context.serviceWorkers().at(-1) ?? context.waitForEvent("serviceworker");
}

/** Hand `payload` to the service worker as a push message, as the browser's push service would. */
async function deliverPush(page: Page, context: BrowserContext, payload: PushPayload) {
  const cdp = await context.newCDPSession(page);
  const registration = new Promise<string>((resolve) => {
    cdp.on("ServiceWorker.workerRegistrationUpdated", ({ registrations }) => {
      const ours = registrations.find((r) => r.scopeURL === `${server.url}/` && !r.isDeleted);
      if (ours) resolve(ours.registrationId);
    });
  });
  await cdp.send("ServiceWorker.enable");
  await cdp.send("ServiceWorker.deliverPushMessage", {
    origin: server.url,
    registrationId: await registration,
    data: JSON.stringify(payload),
  });
  await cdp.detach();
}

interface ShownNotification {
  title: string;
  body: string;
  tag: string;
  data: PushPayload;
  actions: { action: string; title: string }[];
  maxActions: number;
}

/** The notification the service worker shows, once it does. */
async function shownNotification(page: Page): Promise<ShownNotification> {
  const handle = await page.waitForFunction(async () => {
    const [note] = await (await navigator.serviceWorker.ready).getNotifications();
    if (!note) return undefined;
    const actions = (note as Notification & { actions: { action: string; title: string }[] })
      .actions;
    return {
      title: note.title,
      body: note.body,
      tag: note.tag,
      data: note.data,
      actions: actions.map(({ action, title }) => ({ action, title })),
      maxActions: (Notification as unknown as { maxActions: number }).maxActions,
    };
  });
  return (await handle.jsonValue()) as ShownNotification;
}

/**
 * Click the shown notification's `action` in the service worker (a synthetic event, whose
 * waitUntil a script may not call, so the test awaits the work instead); how many notifications
 * are left.
 */
function clickNotification(worker: Worker, action: string): Promise<number> {
  return worker.evaluate(
    async ({ clicked, waitMs }) => {
      type Scope = {
        registration: ServiceWorkerRegistration;
        dispatchEvent(event: Event): boolean;
        NotificationEvent: new (
          type: string,
          init: { notification: Notification; action: string },
        ) => Event;
      };
      const scope = self as unknown as Scope;
      // The page may see a notification a moment before the worker's own list has it: look
      // again until it is there (nothing to await in between), for WAIT_MS at most: a busy
      // machine has been seen to take over 5 s.
      let notification: Notification | undefined;
      for (const deadline = Date.now() + waitMs; !notification && Date.now() < deadline; ) {
        [notification] = await scope.registration.getNotifications();
        if (!notification) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      if (!notification) throw new Error("no notification to click");
      const event = new scope.NotificationEvent("notificationclick", {
        notification,
        action: clicked,
      });
      const work: Promise<unknown>[] = [];
      Object.defineProperty(event, "waitUntil", { value: (p: Promise<unknown>) => work.push(p) });
      scope.dispatchEvent(event);
      await Promise.all(work);
      return (await scope.registration.getNotifications()).length;
    },
    { clicked: action, waitMs: WAIT_MS },
  );
}

describe("push", () => {
  test("the server's push shows the prompt's options; Yes answers, a spent answer opens", async () => {
    await server.request("POST", "/push/subscriptions", push.device("stand-in"));
    const { page, context } = await newPage(browser);
    try {
      await context.grantPermissions(["notifications"], { origin: server.url });
      await signIn(page, server, "/inbox");
      await serviceWorker(page, context);

      const session = await spawnAsking("pushed");
      const { payload } = await push.waitForMessage(
        (m) => m.payload.sessionId === session.id && m.payload.kind === "waiting",
      );
      expect(payload.options).toEqual(["Yes", "No"]);
      expect(payload.token).toBeString();
      await deliverPush(page, context, payload);
      const note = await shownNotification(page);
      expect(note).toMatchObject({
        title: "pushed needs you",
        body: QUESTION,
        tag: session.id,
        data: payload,
      });
      // Chromium shows two actions at most (Notification.maxActions): the options come first.
      const actions = [
        { action: "option-0", title: "Yes" },
        { action: "option-1", title: "No" },
        { action: "open", title: "Open" },
      ];
      expect(note.actions).toEqual(actions.slice(0, note.maxActions));

      expect(await clickNotification(await serviceWorker(page, context), "option-0")).toBe(0);
      await outputHas(session.id, "reply=y");
      expect(page.url()).toEndWith("/inbox");

      // The token is spent: the answer is refused, and the session opens in the app's window.
      await deliverPush(page, context, payload);
      await shownNotification(page);
      expect(await clickNotification(await serviceWorker(page, context), "option-0")).toBe(0);
      await page.waitForURL(new RegExp(`/s/${session.id}$`));
      expect((await outputOf(server, session.id)).text.split("reply=").length).toBe(2);
    } finally {
      await context.close();
    }
  });
});

describe("notification settings", () => {
  test("turned on for this tab, a prompt raises a notification through the service worker", async () => {
    const { page, context } = await newPage(browser);
    try {
      await context.grantPermissions(["notifications"], { origin: server.url });
      await signIn(page, server, "/notifications");
      // Chrome on Android refuses `new Notification()`: the tab shows it with the worker's
      // registration (whose list is all getNotifications reads), as push notifications are.
      await serviceWorker(page, context);
      await page.getByLabel("Notify in this tab while it is open").check();
      await page.locator('a[aria-label="Notification settings"][data-on="true"]').waitFor();
      const session = await spawnAsking("release");
      // Shown by the page a moment after the prompt: look until it is in the worker's list.
      const note = await eventually(
        () =>
          page.evaluate(async () => {
            const notes = await (await navigator.serviceWorker.ready).getNotifications();
            const note = notes.find((n) => n.title === "release needs you");
            return note && { title: note.title, body: note.body, tag: note.tag, data: note.data };
          }),
        "the tab's notification",
      );
      expect(note).toMatchObject({ title: "release needs you", body: QUESTION, tag: session.id });
      expect(note.data.url).toBe(`/s/${session.id}`);
      // A click opens the session in this tab.
      expect(await clickNotification(await serviceWorker(page, context), "")).toBe(0);
      await page.waitForURL(new RegExp(`/s/${session.id}$`));
    } finally {
      await context.close();
    }
  });

  test("saves what notifies and when, removes a device, and says why push failed", async () => {
    await server.request("POST", "/push/subscriptions", push.device("old-laptop"));
    const { page, context } = await newPage(browser, PHONE);
    try {
      await context.grantPermissions(["notifications"], { origin: server.url });
      await signIn(page, server);
      await page.getByRole("link", { name: "Notification settings" }).click();
      await page.getByRole("heading", { name: "Notifications" }).waitFor();

      const device = page.getByRole("listitem").filter({ hasText: "device old-laptop" });
      await device.getByText(`localhost:${push.port}`, { exact: false }).waitFor();
      await device.getByRole("button", { name: "Remove" }).click();
      await device.waitFor({ state: "detached" });
      const listed = await server.request("GET", "/push/subscriptions");
      const { subscriptions } = bodyOf(listed, 200, pushSubscriptionListSchema);
      expect(subscriptions.map((s) => s.label)).not.toContain("device old-laptop");

      await page.getByLabel("A session's turn is done").uncheck();
      await page.getByLabel("Quiet hours: no notifications").check();
      await page.getByLabel("From", { exact: true }).fill("22:30");
      await page.getByLabel("To", { exact: true }).fill("06:45");
      await page.getByLabel("Time zone").selectOption("Europe/Berlin");
      await page.getByRole("button", { name: "Save" }).click();
      await page.getByRole("status").getByText("Saved.").waitFor();
      expect((await server.request("GET", "/notifications/settings")).body).toEqual({
        activities: ["waiting"],
        quietHours: { start: "22:30", end: "06:45", timeZone: "Europe/Berlin" },
      });
      // Shown again after a reload, once the server's settings have arrived.
      await page.reload();
      await page.waitForFunction(
        () =>
          (document.querySelector('select[name="timeZone"]') as HTMLSelectElement | null)?.value ===
          "Europe/Berlin",
      );
      expect(await page.getByLabel("A session's turn is done").isChecked()).toBe(false);
      expect(await page.getByLabel("From", { exact: true }).inputValue()).toBe("22:30");
      await shot(page, "phone-notifications");

      // Headless Chromium has no push service: the reason is shown as the browser gives it.
      await page.getByRole("button", { name: "Push on this device" }).click();
      await page
        .getByRole("alert")
        .getByText(/^This browser could not subscribe: .+/)
        .waitFor();
      expect(await page.getByRole("button", { name: "Push on this device" }).isEnabled()).toBe(
        true,
      );
    } finally {
      await context.close();
    }
  });
});
