// Which push endpoints the server sends to. An endpoint is a URL the browser got from its push
// service; a user could give any URL instead, and the server would then make requests for them.
// So: https only, no credentials in it, and a host that resolves to public unicast addresses
// only (never loopback, private, link-local, …), unless the operator allows that host
// (PUSH_ALLOW_HOSTS, for a self-hosted push service). Checked at subscribe time and again before
// every send (a name can be made to resolve elsewhere later).

import { lookup } from "node:dns/promises";
import ipaddr from "ipaddr.js";
import { badRequest } from "../errors.ts";

export interface EndpointPolicy {
  /** PUSH_ALLOW_HOSTS: `name` (any port) or `name:port`, lower case. */
  allowHosts: readonly string[];
  /** The addresses of a host name (default: the system resolver, every address). */
  resolve?: (host: string) => Promise<string[]>;
}

const defaultResolve = async (host: string) =>
  (await lookup(host, { all: true, verbatim: true })).map(({ address }) => address);

/** The endpoint as a URL; throws 400 push_endpoint_invalid with the reason. */
export async function checkEndpoint(endpoint: string, policy: EndpointPolicy): Promise<URL> {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw invalid("is not a URL");
  }
  if (url.protocol !== "https:") throw invalid("must be an https: URL");
  if (url.username || url.password) throw invalid("must not carry credentials");
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, "");
  const port = url.port || "443";
  const name = url.hostname.toLowerCase();
  if (policy.allowHosts.includes(name) || policy.allowHosts.includes(`${name}:${port}`)) {
    return url;
  }
  let addresses: string[];
  try {
    addresses = ipaddr.isValid(host) ? [host] : await (policy.resolve ?? defaultResolve)(host);
  } catch {
    throw invalid(`host ${name} does not resolve`);
  }
  if (addresses.length === 0) throw invalid(`host ${name} does not resolve`);
  for (const address of addresses) {
    if (!isPublic(address)) {
      throw invalid(`host ${name} is a ${rangeOf(address)} address, not a public push service`);
    }
  }
  return url;
}

function isPublic(address: string): boolean {
  return rangeOf(address) === "unicast";
}

/** ipaddr.js's range name; IPv4-mapped IPv6 addresses are judged as the IPv4 they carry. */
function rangeOf(address: string): string {
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    return (parsed as ipaddr.IPv6).toIPv4Address().range();
  }
  return parsed.range();
}

function invalid(reason: string) {
  return badRequest("push_endpoint_invalid", `the push endpoint ${reason}`);
}
