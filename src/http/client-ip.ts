// The client's IP address for rate limits and audit: the socket's peer, or, only behind a trusted
// proxy, the right-most valid X-Forwarded-For entry. IPv4-mapped IPv6 is reported as plain IPv4;
// `addressBucket` groups an IPv6 client's /64 into one rate-limit key.

import { isIP, isIPv4 } from "node:net";
import type { Context } from "hono";

/** What Bun's `Server` offers for this purpose (`server.requestIP`). */
interface PeerAddressSource {
  requestIP(request: Request): { address: string } | null;
}

/** Returned when no address is known (in-process `app.request()` has no socket). */
export const UNKNOWN_CLIENT_IP = "unknown";

/**
 * The request's client IP. The socket address comes from the Bun server the app was called
 * with (`app.fetch(request, { server })`, or the server itself as env). With `trustProxy`, the
 * right-most entry of X-Forwarded-For, when it is a valid IP, wins: it is the one our proxy wrote,
 * whether the proxy overwrites the header (Caddy) or appends to one the client sent (nginx's
 * $proxy_add_x_forwarded_for). One proxy in front is assumed. Falls back to the socket address,
 * then "unknown".
 */
export function clientIp(c: Context, { trustProxy }: { trustProxy: boolean }): string {
  const forwarded = trustProxy ? forwardedFor(c.req.header("x-forwarded-for")) : undefined;
  const address = forwarded ?? socketAddress(c);
  return address === undefined ? UNKNOWN_CLIENT_IP : unmapIPv4(address);
}

function forwardedFor(header: string | undefined): string | undefined {
  // Only the last entry is our proxy's; anything left of it may come from the client.
  const last = header?.split(",").at(-1)?.trim();
  return last !== undefined && isIP(last) !== 0 ? last : undefined;
}

// Reads the peer address the way hono/bun's getConnInfo does, minus its throw when the app was
// called without a server (tests through app.request()).
function socketAddress(c: Context): string | undefined {
  const env: unknown = c.env;
  const server = isPeerAddressSource(env)
    ? env
    : typeof env === "object" && env !== null && "server" in env
      ? env.server
      : undefined;
  if (!isPeerAddressSource(server)) return undefined;
  return server.requestIP(c.req.raw)?.address || undefined;
}

function isPeerAddressSource(value: unknown): value is PeerAddressSource {
  return (
    typeof value === "object" &&
    value !== null &&
    "requestIP" in value &&
    typeof value.requestIP === "function"
  );
}

// A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d; one client must have one key.
function unmapIPv4(address: string): string {
  const mapped = /^::ffff:(.+)$/i.exec(address)?.[1];
  return mapped !== undefined && isIPv4(mapped) ? mapped : address;
}

/** One bucket per IPv4 address, and per /64 for IPv6 (one client usually holds a whole /64). */
export function addressBucket(ip: string): string {
  if (!ip.includes(":")) return ip;
  const groups = expandIPv6(ip);
  return groups ? `${groups.slice(0, 4).join(":")}::/64` : ip;
}

// The eight groups of an IPv6 address with "::" spelled out; undefined when it has too many.
function expandIPv6(ip: string): string[] | undefined {
  const [head = "", tail] = ip.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const missing = 8 - left.length - right.length;
  if (missing < 0 || (tail === undefined && missing !== 0)) return undefined;
  return [...left, ...Array(missing).fill("0"), ...right];
}
