// OpenCode's config folder as someone who has run it before has it: the `@opencode-ai/plugin`
// dependency it installs there with npm on its first start, and waits for before it loads any
// plugin (OpenDray gives it one, see src/attention/opencode-plugin.js). Without this, every test
// with a fresh HOME would wait on npm.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REAL_CLIS } from "./real-clis.ts";

export function seedOpencodeConfig(configDir: string): void {
  mkdirSync(join(configDir, "node_modules"), { recursive: true });
  const dependency = { "@opencode-ai/plugin": REAL_CLIS.opencode.version };
  writeFileSync(join(configDir, "package.json"), JSON.stringify({ dependencies: dependency }));
  writeFileSync(
    join(configDir, "package-lock.json"),
    JSON.stringify({ packages: { "": { dependencies: dependency } } }),
  );
}
