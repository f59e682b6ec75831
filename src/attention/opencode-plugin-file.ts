// OpenDray's OpenCode plugin (opencode-plugin.js) as a file OpenCode can load: its text is
// embedded in OpenDray (from source and in the compiled binary alike) and written into DATA_DIR,
// beside the hook socket, the first time a session needs it or when it changed.

import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import source from "./opencode-plugin.js" with { type: "text" };

/** The plugin's file name inside DATA_DIR. */
export const OPENCODE_PLUGIN_NAME = "opencode-plugin.js";

/**
 * The plugin's path in `dir`, written there first unless it holds this text already: mode 0600,
 * through a rename, so OpenCode never reads half a file.
 */
export function writeOpencodePlugin(dir: string): string {
  const path = join(dir, OPENCODE_PLUGIN_NAME);
  if (existsSync(path) && readFileSync(path, "utf8") === source) return path;
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, source, { mode: 0o600 });
  renameSync(partial, path);
  return path;
}
