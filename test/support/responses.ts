// Typed reads of a test request's answer: the body checked against a src/protocol schema (or a
// test's own), so that a test names the fields the server promises instead of reading `any`.
// `request` and `send` answer a body of type `unknown`: read it with `bodyOf(r, status, schema)`
// or `errorOf(r, status)`, which check the status too. A check of the whole body (`toEqual` of
// an error envelope, a secret `not.toContain`ed in its JSON) stays on the raw `r.body`: a parse
// drops the keys its schema does not name.

import * as z from "zod/mini";
import { auditEntrySchema } from "../../src/protocol/audit.ts";
import { userSchema } from "../../src/protocol/auth.ts";
import { type ErrorBody, errorBodySchema } from "../../src/protocol/errors.ts";
import { providerInfoSchema } from "../../src/protocol/providers.ts";
import { pushSubscriptionInfoSchema } from "../../src/protocol/push.ts";
import { sessionSchema } from "../../src/protocol/session.ts";

/** A response with its JSON body (undefined when empty, the raw text when not JSON). */
export interface JsonResponse<Body = unknown> {
  status: number;
  body: Body;
  headers: Headers;
}

/** A fetch `Response` read whole, for `bodyOf` and `errorOf`. */
export async function readResponse(response: Response): Promise<JsonResponse> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {}
  return { status: response.status, body, headers: response.headers };
}

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

// The lists the API answers with: one key holding the items, each checked by its schema.

/** GET /sessions. */
export const sessionListSchema = z.object({ sessions: z.array(sessionSchema) });
/** GET /users. */
export const userListSchema = z.object({ users: z.array(userSchema) });
/** GET /audit. */
export const auditListSchema = z.object({ entries: z.array(auditEntrySchema) });
/** GET /push/subscriptions. */
export const pushSubscriptionListSchema = z.object({
  subscriptions: z.array(pushSubscriptionInfoSchema),
});
/** GET /providers. */
export const providerListSchema = z.object({ providers: z.array(providerInfoSchema) });
