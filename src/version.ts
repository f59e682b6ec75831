// What this program is: the package version, and the commit it was built from. build.ts bakes
// the commit in with `define`; run from source (or built outside git) it is "unknown".

import packageJson from "../package.json" with { type: "json" };

/** Replaced by build.ts (`define`) with the commit's short hash, `-dirty` when uncommitted changes were built. */
declare const OPENDRAY_COMMIT: string | undefined;

export const VERSION: string = packageJson.version;
export const COMMIT: string = typeof OPENDRAY_COMMIT === "string" ? OPENDRAY_COMMIT : "unknown";

/** `opendray 0.1.0 (commit 1a2b3c4d5e6f)`: what `--version` prints. */
export function versionLine(): string {
  return `opendray ${VERSION} (commit ${COMMIT})`;
}
