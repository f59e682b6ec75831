import { afterEach, expect, test } from "bun:test";
import { Hono } from "hono";
import { addressBucket, clientIp, UNKNOWN_CLIENT_IP } from "./client-ip.ts";

function appTrusting(trustProxy: boolean) {
  return new Hono().get("/ip", (c) => c.text(clientIp(c, { trustProxy })));
}

/** Stands in for Bun's server in `app.request()`: only `requestIP` is read. */
function fakeServer(address: string) {
  return { server: { requestIP: () => ({ address, family: "IPv4", port: 50_000 }) } };
}

async function ipSeen(
  trustProxy: boolean,
  { forwardedFor, socket }: { forwardedFor?: string; socket?: string } = {},
): Promise<string> {
  const headers = forwardedFor === undefined ? undefined : { "X-Forwarded-For": forwardedFor };
  const env = socket === undefined ? undefined : fakeServer(socket);
  const res = await appTrusting(trustProxy).request("/ip", { headers }, env);
  return res.text();
}

test('is "unknown" in process, where no socket exists', async () => {
  expect(await ipSeen(false)).toBe("unknown");
  expect(await ipSeen(true)).toBe("unknown");
});

test("is the socket address without trustProxy, ignoring X-Forwarded-For", async () => {
  expect(await ipSeen(false, { socket: "10.0.0.7", forwardedFor: "203.0.113.9" })).toBe("10.0.0.7");
  expect(await ipSeen(false, { forwardedFor: "203.0.113.9" })).toBe("unknown");
});

test.each([
  ["203.0.113.9", "203.0.113.9"],
  // A client may send its own header, which an appending proxy keeps on the left.
  [" 10.9.9.9 , 203.0.113.9", "203.0.113.9"],
  ["10.0.0.1, 2001:db8::1", "2001:db8::1"],
  ["198.51.100.4, <script>", "10.0.0.7"],
  ["198.51.100.4, 203.0.113.9:80", "10.0.0.7"],
  ["198.51.100.4, ,", "10.0.0.7"],
  ["::ffff:198.51.100.4", "198.51.100.4"],
])("with trustProxy, X-Forwarded-For %p gives %p", async (forwardedFor, expected) => {
  expect(await ipSeen(true, { socket: "10.0.0.7", forwardedFor })).toBe(expected);
});

test("with trustProxy, falls back to the socket when no forwarded entry is valid", async () => {
  expect(await ipSeen(true, { socket: "10.0.0.7", forwardedFor: "garbage, unknown" })).toBe(
    "10.0.0.7",
  );
  expect(await ipSeen(true, { socket: "10.0.0.7" })).toBe("10.0.0.7");
});

test.each([
  ["::ffff:127.0.0.1", "127.0.0.1"],
  ["::FFFF:10.1.2.3", "10.1.2.3"],
  ["::1", "::1"],
  ["2001:db8::ffff:1", "2001:db8::ffff:1"],
])("reports the socket address %p as %p", async (socket, expected) => {
  expect(await ipSeen(false, { socket })).toBe(expected);
});

test("accepts Bun's server passed directly as env", async () => {
  const res = await appTrusting(false).request("/ip", {}, fakeServer("10.0.0.8").server);
  expect(await res.text()).toBe("10.0.0.8");
});

const servers: { stop(force: boolean): void }[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.stop(true);
});

function serve(hostname: string) {
  const app = appTrusting(false);
  const server = Bun.serve({
    hostname,
    port: 0,
    fetch: (request, bunServer) => app.fetch(request, { server: bunServer }),
  });
  servers.push(server);
  return server;
}

test("reads 127.0.0.1 from a real socket", async () => {
  const server = serve("127.0.0.1");
  const res = await fetch(`http://127.0.0.1:${server.port}/ip`);
  expect(await res.text()).toBe("127.0.0.1");
});

test("reports an IPv4 peer of a dual-stack socket as plain IPv4", async () => {
  const server = serve("::");
  const res = await fetch(`http://127.0.0.1:${server.port}/ip`);
  expect(await res.text()).toBe("127.0.0.1");
});

test.each([
  ["an IPv4 address is its own bucket", "192.0.2.7", "192.0.2.7"],
  ["an IPv6 address shares its /64", "2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"],
  ["a compressed IPv6 address is expanded first", "2001:db8::1", "2001:db8:0:0::/64"],
  ["the loopback ::1 falls in the zero /64", "::1", "0:0:0:0::/64"],
  ["an address with too many groups is its own bucket", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8:9"],
  ["a non-address (unknown) is its own bucket", UNKNOWN_CLIENT_IP, UNKNOWN_CLIENT_IP],
])("addressBucket: %s", (_fact, ip, bucket) => {
  expect(addressBucket(ip)).toBe(bucket);
});
