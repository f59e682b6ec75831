// Typed reads of a test request's answer: the body checked against a src/protocol schema (or a
// test's own), so that a test names the fields the server promises instead of reading `any`.

import type * as z from "zod/mini";
import { type ErrorBody, errorBodySchema } from "../../src/protocol/errors.ts";

/** A response with its JSON body (undefined when empty, the raw text when not JSON). */
export interface JsonResponse<Body = unknown> {
  status: number;
  body: Body;
  headers: Headers;
}

/**
 * What `request` and `send` return: a body read freely, unchecked. Most tests predate the typed
 * reads below; new ones use `bodyOf` and `errorOf` instead of reaching into it.
 */
// biome-ignore lint/suspicious/noExplicitAny: the one unchecked form, kept for the older tests
export type UncheckedResponse = JsonResponse<any>;

/**
 * The body of `response` as `schema` reads it, when its status is `status`; otherwise throws,
 * showing the status and body the server sent.
 */
export function bodyOf<Schema extends z.ZodMiniType>(
  response: JsonResponse,
  status: number,
  schema: Schema,
): z.output<Schema> {
  const parsed = schema.safeParse(response.body);
  if (response.status === status && parsed.success) return parsed.data;
  const problem = parsed.success ? "" : `; ${JSON.stringify(parsed.error.issues)}`;
  throw new Error(
    `expected ${status}, got ${response.status} ${JSON.stringify(response.body)}${problem}`,
  );
}

/** The `{code, message}` of an error `response` with `status`; throws on any other answer. */
export function errorOf(response: JsonResponse, status: number): ErrorBody["error"] {
  return bodyOf(response, status, errorBodySchema).error;
}
