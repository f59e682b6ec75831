// Reads and validates a JSON request body: 415 without a JSON content type, 400 invalid_json when
// it does not parse, 400 with a field-specific code when it does not match the schema. Every
// string the API takes passes here (bodies and queries): NUL is refused, since PostgreSQL text
// cannot hold it and a row that holds none must never be half-written.

import type { Context } from "hono";
import { z } from "zod";
import { AppError, badRequest, unsupportedMediaType } from "../errors.ts";

/**
 * Messages in English for every schema: those of src/protocol are zod/mini, which loads no
 * locale of its own (a schema's own message still wins).
 */
const ENGLISH = z.locales.en().localeError;

/** Fields whose validation failures have their own error code. */
const FIELD_CODES: Record<string, string> = {
  cwd: "cwd_invalid",
  since: "since_invalid",
  worktree: "branch_invalid",
};

export interface ReadOptions {
  /** Terminal input is bytes for a PTY, where NUL is a key (Ctrl-@, Ctrl-Space): allow it. */
  allowNul?: boolean;
}

export async function readJson<Schema extends z.core.$ZodType>(
  c: Context,
  schema: Schema,
  options: ReadOptions = {},
): Promise<z.core.output<Schema>> {
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
  return validate(schema, body, options);
}

/** Validate `value` against `schema`, throwing a 400 that names the first offending field. */
export function validate<Schema extends z.core.$ZodType>(
  schema: Schema,
  value: unknown,
  { allowNul = false }: ReadOptions = {},
): z.core.output<Schema> {
  const nulAt = allowNul ? undefined : findNul(value);
  if (nulAt !== undefined) {
    throw badRequest(
      "nul_character",
      `${nulAt === "" ? "value" : nulAt}: must not contain a NUL character (U+0000)`,
    );
  }
  const result = z.safeParse(schema, value, { error: ENGLISH });
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.join(".") ?? "";
  const code = FIELD_CODES[String(issue?.path[0] ?? "")] ?? "invalid_request";
  throw badRequest(
    code,
    path ? `${path}: ${issue?.message}` : (issue?.message ?? "invalid request"),
  );
}

/**
 * The path (a.b.0) of a string, object key included, that holds U+0000. Iterative: a
 * body nested deeper than the call stack must not turn into a 500.
 */
function findNul(value: unknown): string | undefined {
  const pending: [unknown, string][] = [[value, ""]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [item, path] = next;
    if (typeof item === "string") {
      if (item.includes("\0")) return path;
    } else if (typeof item === "object" && item !== null) {
      for (const [key, child] of Object.entries(item)) {
        const at = path === "" ? key : `${path}.${key}`;
        if (key.includes("\0")) return at;
        pending.push([child, at]);
      }
    }
  }
  return undefined;
}
