// The Host header must name this server (DNS rebinding): a page on an attacker's name that
// re-resolves to this machine sends that name, so it is answered 421 before any route or
// WebSocket upgrade. With Host checked, the same-origin test (Origin against Host) is sound.

import { isIPv4, isIPv6 } from "node:net";
import { createMiddleware } from "hono/factory";
import { errorResponse } from "./error-handler.ts";

export interface HostPolicy {
  /** LISTEN_ADDR's host: when it is a name, requests may use it. */
  listenHost: string;
  /** ALLOWED_HOSTS: `name` (any port) or `name:port`, lower case, no trailing dot. */
  allowedHosts: readonly string[];
}

/**
 * Allowed: IP literals (a browser sends one only for a page whose origin is that address, which
 * no rebinding name can claim), loopback names (localhost, *.localhost: they never leave the
 * machine), LISTEN_ADDR's host, and ALLOWED_HOSTS. A missing or malformed Host is not allowed.
 */
export function isAllowedHost(header: string | undefined, policy: HostPolicy): boolean {
  const match = /^(\[[^\]]*\]|[^:[\]]*)(?::(\d{1,5}))?$/.exec(header?.trim() ?? "");
  if (!match?.[1]) return false;
  const name = match[1].toLowerCase().replace(/\.$/, "");
  if (name.startsWith("[")) return isIPv6(name.slice(1, -1));
  if (isIPv4(name) || name === "localhost" || name.endsWith(".localhost")) return true;
  if (name === policy.listenHost.toLowerCase().replace(/\.$/, "")) return true;
  const port = match[2] === undefined ? undefined : Number(match[2]);
  return (
    policy.allowedHosts.includes(name) ||
    (port !== undefined && policy.allowedHosts.includes(`${name}:${port}`))
  );
}

/** 421 host_not_allowed for a request whose Host this server does not answer to. */
export function hostCheck(policy: HostPolicy) {
  return createMiddleware(async (c, next) => {
    const host = c.req.header("host");
    if (!isAllowedHost(host, policy)) {
      const shown = JSON.stringify((host ?? "").slice(0, 100));
      return errorResponse(
        c,
        421,
        "host_not_allowed",
        `this server does not answer to the host ${shown}; add it to ALLOWED_HOSTS`,
      );
    }
    await next();
  });
}
