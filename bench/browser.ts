// Headless Chromium signed in to a bench server, for the benches that time the UI
// (ui-paint.ts, changes.ts): launched as the UI tests launch it (test/support/browser.ts), signed
// in once (sign-ins are limited to 5 a minute), its cookie handed to every context made after.

import type { Browser, BrowserContextOptions } from "playwright-core";
import { launchBrowser } from "../test/support/browser.ts";
import type { createCleanup } from "./cleanup.ts";
import type { startBenchServer } from "./server-process.ts";

type BenchServer = Awaited<ReturnType<typeof startBenchServer>>;

export async function signedInBrowser(
  server: BenchServer,
  cleanup: ReturnType<typeof createCleanup>,
): Promise<{ browser: Browser; storageState: BrowserContextOptions["storageState"] }> {
  const browser = await launchBrowser();
  cleanup.add(() => browser.close());
  const signIn = await browser.newContext();
  const login = await signIn.request.post(`${server.api}/auth/login`, {
    data: { username: "bench", password: server.adminPassword },
  });
  if (!login.ok()) throw new Error(`login failed: ${login.status()}`);
  const storageState = await signIn.storageState();
  await signIn.close();
  return { browser, storageState };
}
