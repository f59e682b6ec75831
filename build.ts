// Builds the single executable: `bun build --compile` of src/main.ts into dist/, embedding the
// web page, the SQL migrations (kept at drizzle/… inside the binary), PGlite's wasm/data files
// and bun-pty's native library.
// Usage: bun build.ts [--target bun-linux-x64|bun-linux-arm64] [--outfile PATH]

import { join } from "node:path";
import { parseArgs } from "node:util";
import { embedWebPlugin } from "./web/build.ts";

const ROOT = import.meta.dir;
const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    target: { type: "string", default: "bun-linux-x64" },
    outfile: { type: "string" },
  },
});
const target = values.target as Bun.Build.CompileTarget;
const outfile = values.outfile ?? join(ROOT, "dist", `opendray-${target.replace(/^bun-/, "")}`);

const result = await Bun.build({
  entrypoints: [join(ROOT, "src/main.ts")],
  compile: { target, outfile },
  // Keep folders in embedded file names: the migrator reads drizzle/meta/_journal.json and the
  // SQL files beside it with node:fs (src/db/migration-files.ts imports them as files).
  naming: { asset: "[dir]/[name].[ext]" },
  plugins: [await embedWebPlugin()],
  minify: true,
  sourcemap: "linked",
});
if (!result.success) {
  for (const log of result.logs) console.error(log);
  process.exit(1);
}
console.log(`built ${outfile}`);
