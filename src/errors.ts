// AppError: the one error type the server raises on purpose, rendered by the HTTP layer as
// {"error":{"code","message"}} with its status. Anything else is a 500 whose cause is logged.

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 500 | 503 | 504 | 507;

export class AppError extends Error {
  constructor(
    readonly status: ErrorStatus,
    /** snake_case, stable: clients switch on it. */
    readonly code: string,
    message: string,
    /** Extra response headers (e.g. Retry-After). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "AppError";
  }
}

export const badRequest = (code: string, message: string) => new AppError(400, code, message);
export const notFound = (what: string) => new AppError(404, "not_found", `${what} not found`);
export const conflict = (code: string, message: string) => new AppError(409, code, message);
export const unsupportedMediaType = (message: string) =>
  new AppError(415, "unsupported_media_type", message);

/** What a client is told to wait before retrying while the database is away, in seconds. */
export const DATABASE_RETRY_AFTER_S = 5;

/** 503 database_unavailable with Retry-After: the database cannot be reached right now. */
export const databaseUnavailable = () =>
  new AppError(503, "database_unavailable", "the database is unavailable; try again shortly", {
    "Retry-After": String(DATABASE_RETRY_AFTER_S),
  });
