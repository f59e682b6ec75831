import { expect, test } from "bun:test";
import { redactPath } from "./redact-path.ts";

test.each([
  ["/share/abc/TOKEN", "/share/abc/<redacted>"],
  ["/api/v1/share/abc/TOKEN/stream", "/api/v1/share/abc/<redacted>/stream"],
  ["/api/v1/sessions/abc/shares/xyz", "/api/v1/sessions/abc/shares/xyz"],
  ["/s/abc", "/s/abc"],
])("redacts the token of %s", (path, logged) => {
  expect(redactPath(path)).toBe(logged);
});
