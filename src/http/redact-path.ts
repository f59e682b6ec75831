// Request paths as they may be logged or echoed: a share link's token (/share/<session>/<token>,
// on the page and under /api/v1) is a credential and is replaced by `<redacted>`.

const SHARE_TOKEN = /^((?:\/api\/v1)?\/share\/[^/]*\/)[^/]+/;

/** `path` with a share link's token replaced by `<redacted>`; any other path as it is. */
export function redactPath(path: string): string {
  return path.replace(SHARE_TOKEN, "$1<redacted>");
}
