// Reads and validates a JSON request body: 415 without a JSON content type, 400 invalid_json when
// it does not parse, 400 with a field-specific code when it does not match the schema.

import type { Context } from "hono";
import type { z } from "zod";
import { AppError, badRequest, unsupportedMediaType } from "../errors.ts";

/** Fields whose validation failures have their own error code. */
const FIELD_CODES: Record<string, string> = { cwd: "cwd_invalid", since: "since_invalid" };

export async function readJson<Schema extends z.ZodType>(
  c: Context,
  schema: Schema,
): Promise<z.output<Schema>> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw unsupportedMediaType("Content-Type must be application/json");
  }
  let body: unknown;
  try {
    body = await c.req.json();
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw badRequest("invalid_json", "request body is not valid JSON");
  }
  return validate(schema, body);
}

/** Validate `value` against `schema`, throwing a 400 that names the first offending field. */
export function validate<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
): z.output<Schema> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.join(".") ?? "";
  const code = FIELD_CODES[String(issue?.path[0] ?? "")] ?? "invalid_request";
  throw badRequest(
    code,
    path ? `${path}: ${issue?.message}` : (issue?.message ?? "invalid request"),
  );
}
