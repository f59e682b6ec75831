// Same-origin checks for cookie-authenticated writes and WebSocket upgrades. The request's own
// origin comes from its Host header and scheme (X-Forwarded-Proto only behind a trusted proxy).
import type { Context } from "hono";

export interface OriginPolicy {
  trustProxy: boolean;
  /** Extra origins (ALLOWED_ORIGINS), normalized like URL.origin. */
  allowedOrigins: readonly string[];
}

/** True when the request arrived over https (directly, or per a trusted proxy). */
export function isHttps(c: Context, { trustProxy }: Pick<OriginPolicy, "trustProxy">): boolean {
  if (trustProxy) {
    const forwarded = c.req.header("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
    if (forwarded) return forwarded === "https";
  }
  return new URL(c.req.url).protocol === "https:";
}

/** The origin this request was addressed to, e.g. https://dray.example.com. */
export function ownOrigin(
  c: Context,
  policy: Pick<OriginPolicy, "trustProxy">,
): string | undefined {
  const host = c.req.header("host");
  if (!host) return undefined;
  return `${isHttps(c, policy) ? "https" : "http"}://${host.toLowerCase()}`;
}

/** The Origin header is this server's own origin or an allowed one. */
export function isAllowedOrigin(c: Context, policy: OriginPolicy): boolean {
  const origin = c.req.header("origin");
  if (!origin) return false;
  let normalized: string;
  try {
    normalized = new URL(origin).origin;
  } catch {
    return false;
  }
  return normalized === ownOrigin(c, policy) || policy.allowedOrigins.includes(normalized);
}
