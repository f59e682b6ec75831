// The one place that turns errors into the JSON envelope. AppErrors are rendered as they are,
// SessionErrors as their kind maps (session-errors.ts); a database that cannot be reached is a
// 503 with Retry-After; anything else becomes a 500 whose cause is logged, never sent.

import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { isDatabaseUnavailable } from "../../db/client.ts";
import { AppError, databaseUnavailable } from "../../errors.ts";
import type { ErrorBody } from "../../protocol/errors.ts";
import { redactPath } from "../redact-path.ts";
import { asAppError } from "../session-errors.ts";

export function errorResponse(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): Response {
  const body: ErrorBody = { error: { code, message } };
  return c.json(body, status, headers);
}

export function createErrorHandler(
  logError: (error: unknown, context: string) => void,
): ErrorHandler {
  return (thrown, c) => {
    const error = asAppError(thrown);
    if (error instanceof AppError) {
      return errorResponse(c, error.status, error.code, error.message, error.headers);
    }
    // An outage, not a fault of this request: the client retries later, the log stays quiet.
    if (isDatabaseUnavailable(error)) {
      const { status, code, message, headers } = databaseUnavailable();
      return errorResponse(c, status, code, message, headers);
    }
    if (error instanceof HTTPException && error.status === 413) {
      return errorResponse(c, 413, "body_too_large", "request body is too large");
    }
    logError(error, `${c.req.method} ${redactPath(c.req.path)}`);
    return errorResponse(c, 500, "internal_error", "internal server error");
  };
}

export const notFoundHandler: NotFoundHandler = (c) =>
  errorResponse(c, 404, "not_found", `no route for ${c.req.method} ${redactPath(c.req.path)}`);
