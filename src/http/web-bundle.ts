// Where the browser UI's files come from. Running from source, they are built in memory on first
// use (web/build.ts). The compiled executable replaces this module with one that holds the
// files built at compile time (build.ts, embedWebBundle), so the binary needs no sources.

import type { WebAsset } from "../../web/build.ts";

export type { WebAsset };

/** The UI's files, built once per process. */
export async function loadWebBundle(): Promise<WebAsset[]> {
  const { buildWeb } = await import("../../web/build.ts");
  return buildWeb();
}
