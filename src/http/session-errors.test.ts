import { expect, test } from "bun:test";
import { AppError } from "../errors.ts";
import { SessionError, type SessionErrorKind } from "../sessions/session-error.ts";
import { asAppError } from "./session-errors.ts";

test.each<[SessionErrorKind, number, string]>([
  ["not_found", 404, "not_found"],
  ["not_running", 409, "session_not_running"],
  ["input_full", 429, "input_full"],
  ["cwd_invalid", 400, "cwd_invalid"],
  ["parent_not_found", 400, "parent_not_found"],
  ["since_invalid", 400, "since_invalid"],
  ["option_invalid", 400, "option_invalid"],
  ["prompt_changed", 409, "prompt_changed"],
  ["screen_not_ready", 409, "screen_not_ready"],
  ["no_recording", 404, "recording_not_found"],
  ["store_unavailable", 503, "database_unavailable"],
])("a SessionError %s is answered %d %s with its message", (kind, status, code) => {
  const error = asAppError(new SessionError(kind, "what happened"));
  expect(error).toBeInstanceOf(AppError);
  expect(error).toMatchObject({ status, code, message: "what happened" });
});

test("refusals that may pass with time say when to retry", () => {
  expect(asAppError(new SessionError("input_full", "x"))).toMatchObject({
    headers: { "Retry-After": "1" },
  });
  expect(asAppError(new SessionError("store_unavailable", "x"))).toMatchObject({
    headers: { "Retry-After": "5" },
  });
});

test("errors other than SessionErrors pass through as they are", () => {
  const other = new Error("boom");
  expect(asAppError(other)).toBe(other);
});
