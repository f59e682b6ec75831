// The deployment files work as written: deploy/opendray.service passes `systemd-analyze verify`
// and feeds every credential to a *_FILE variable; deploy/Caddyfile, in front of the compiled
// binary with TRUST_PROXY=1, serves sign-in and a terminal stream over https with the client's
// address in the audit log and a Secure cookie, under the public name the unit allows.
//
// Caddy runs as in production except for a global options block that the test puts in front
// of deploy/Caddyfile (its internal CA instead of ACME, loopback ports, no admin endpoint), and
// the site address and upstream port substituted; its HOME and XDG folders are temporary.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { SHUTDOWN_TIMEOUT_MS } from "../src/cli/serve.ts";
import { describeConfigVariables } from "../src/config.ts";
import { sessionSchema } from "../src/protocol/session.ts";
import { compiledBinary } from "./support/binary.ts";
import { type ServerProcess, startServerProcess } from "./support/process-server.ts";
import { auditListSchema, bodyOf, readResponse } from "./support/responses.ts";
import { ADMIN } from "./support/server.ts";
import { StreamClient } from "./support/ws-client.ts";

const ROOT = join(import.meta.dir, "..");
const UNIT = readFileSync(join(ROOT, "deploy/opendray.service"), "utf8");
const HOST_UNIT = readFileSync(join(ROOT, "deploy/opendray-pty-host.service"), "utf8");
const CADDYFILE = readFileSync(join(ROOT, "deploy/Caddyfile"), "utf8");
/** The site's name in deploy/Caddyfile, which the unit must allow as Host. */
const PUBLIC_NAME = /^([a-z0-9.-]+) \{$/m.exec(CADDYFILE)?.[1] ?? "(no site in the Caddyfile)";
/** The address the https client signs in from: any 127/8 address is local, and not Caddy's. */
const CLIENT_ADDRESS = "127.0.0.5";

const dir = mkdtempSync(join(tmpdir(), "opendray-deploy-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `Key=value` lines of a unit's `section`, in order. */
function serviceSettings(unit = UNIT, section = "Service"): [string, string][] {
  const body = unit.split(new RegExp(`^\\[${section}\\]$`, "m"))[1]?.split(/^\[/m)[0] ?? "";
  return body
    .split("\n")
    .filter((line) => /^[A-Z]\w*=/.test(line))
    .map((line) => {
      const at = line.indexOf("=");
      return [line.slice(0, at), line.slice(at + 1)];
    });
}

test("systemd-analyze verify accepts both units, without a single warning", async () => {
  // verify checks that ExecStart is executable and that the units named by Wants= exist: point
  // both at the binary this test built, side by side in one folder.
  const binary = await compiledBinary();
  expect(UNIT).toContain("\nExecStart=/usr/local/bin/opendray serve\n");
  expect(HOST_UNIT).toContain("\nExecStart=/usr/local/bin/opendray pty-host\n");
  const unitDir = mkdtempSync(join(dir, "unit-"));
  const units = [
    join(unitDir, "opendray.service"),
    join(unitDir, "opendray-pty-host.service"),
  ] as const;
  for (const [path, text] of [
    [units[0], UNIT],
    [units[1], HOST_UNIT],
  ] as const) {
    writeFileSync(path, text.replace("ExecStart=/usr/local/bin/opendray", `ExecStart=${binary}`));
  }
  const verify = Bun.spawn(["systemd-analyze", "verify", ...units], {
    cwd: unitDir,
    stdout: "pipe",
    stderr: "pipe",
    timeout: 30_000,
  });
  const [code, stdout, stderr] = await Promise.all([
    verify.exited,
    new Response(verify.stdout).text(),
    new Response(verify.stderr).text(),
  ]);
  // An unknown or misspelt key is only a warning with exit code 0: any output fails the test.
  expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: "", stderr: "" });
}, 60_000);

test("the server unit wants the PTY host's unit, which shares its user and data directory", () => {
  const unit = new Map(serviceSettings(UNIT, "Unit"));
  expect(unit.get("Wants")?.split(" ")).toContain("opendray-pty-host.service");
  expect(unit.get("After")?.split(" ")).toContain("opendray-pty-host.service");
  const server = new Map(serviceSettings());
  const host = new Map(serviceSettings(HOST_UNIT));
  for (const key of ["User", "Group", "StateDirectory", "WorkingDirectory", "UMask"]) {
    expect(host.get(key)).toBe(server.get(key));
  }
  const environment = (unit: string) =>
    serviceSettings(unit)
      .filter(([key]) => key === "Environment" || key === "EnvironmentFile")
      .map(([, value]) => value);
  expect(environment(HOST_UNIT)).toContain("DATA_DIR=/var/lib/opendray");
  expect(environment(UNIT)).toContain("DATA_DIR=/var/lib/opendray");
  expect(environment(HOST_UNIT)).toContain("-/etc/opendray/opendray.env");
  // The host holds no secret, and it is started again after its idle exit.
  expect(HOST_UNIT).not.toContain("LoadCredential");
  expect(host.get("Restart")).toBe("always");
  // The sessions run in the host's unit: it has the server's hardening, line for line.
  const hardening = (text: string) =>
    text.slice(text.indexOf("NoNewPrivileges="), text.indexOf("# Left out on purpose"));
  expect(hardening(HOST_UNIT)).toBe(hardening(UNIT));
});

test("the unit runs unprivileged, on loopback behind the proxy, and stops in time", () => {
  const settings = new Map(serviceSettings());
  expect(settings.get("User")).toBe("opendray");
  expect(settings.get("NoNewPrivileges")).toBe("yes");
  expect(settings.get("KillMode")).toBe("mixed");
  expect(Number.parseInt(settings.get("TimeoutStopSec") ?? "", 10) * 1000).toBeGreaterThan(
    SHUTDOWN_TIMEOUT_MS,
  );
  expect(settings.get("RestartPreventExitStatus")).toBe("2");
  const environment = serviceSettings()
    .filter(([key]) => key === "Environment")
    .map(([, value]) => value);
  expect(environment).toContain("LISTEN_ADDR=127.0.0.1:8640");
  expect(environment).toContain("TRUST_PROXY=1");
  expect(environment).toContain(`DATA_DIR=/var/lib/${settings.get("StateDirectory")}`);
  // Caddy passes the site's name on as Host: without it in ALLOWED_HOSTS, every request is 421.
  expect(environment).toContain(`ALLOWED_HOSTS=${PUBLIC_NAME}`);
});

test("every credential the unit loads feeds a *_FILE variable that OpenDray reads", () => {
  const known = new Set(describeConfigVariables().map((v) => v.name));
  const settings = serviceSettings();
  const credentials = settings
    .filter(([key]) => key === "LoadCredential")
    .map(([, value]) => value.split(":")[0] ?? "");
  expect(credentials).toContain("jwt_secret");
  for (const name of credentials) {
    const feeding = settings.find(
      ([key, value]) => key === "Environment" && value.endsWith(`=%d/${name}`),
    );
    const variable = feeding?.[1].split("=")[0] ?? `(no *_FILE variable for ${name})`;
    expect(variable).toEndWith("_FILE");
    expect(known.has(variable)).toBe(true);
  }
});

// ---- Caddy in front of the binary ------------------------------------------------------------

let server: ServerProcess;
let caddy: Subprocess<"ignore", "ignore", "pipe"> | undefined;
let origin: string;
let ca: string;

/** A port that was free a moment ago (Caddy needs numbers in its configuration). */
function freePort(): number {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const { port } = listener;
  listener.stop(true);
  return port;
}

beforeAll(async () => {
  const binary = await compiledBinary();
  server = await startServerProcess(
    { DATA_DIR: join(dir, "data"), TRUST_PROXY: "1", ALLOWED_HOSTS: unitAllowedHosts() },
    { executable: binary, cwd: dir },
  );
  const httpsPort = freePort();
  origin = `https://127.0.0.1:${httpsPort}`;
  const caddyHome = mkdtempSync(join(dir, "caddy-"));
  const global = [
    "{",
    "\tadmin off",
    "\tlocal_certs",
    "\tskip_install_trust",
    "\tauto_https disable_redirects",
    `\thttp_port ${freePort()}`,
    `\thttps_port ${httpsPort}`,
    "}",
    "",
  ].join("\n");
  // The public name as in production (its certificate from Caddy's CA), and the address.
  const site = CADDYFILE.replace(
    /^dray\.example\.com \{$/m,
    `${origin}, https://${PUBLIC_NAME}:${httpsPort} {`,
  ).replace("reverse_proxy 127.0.0.1:8640", `reverse_proxy 127.0.0.1:${new URL(server.api).port}`);
  expect(site).not.toBe(CADDYFILE);
  const config = join(caddyHome, "Caddyfile");
  writeFileSync(config, global + site);

  caddy = Bun.spawn(["caddy", "run", "--config", config, "--adapter", "caddyfile"], {
    cwd: caddyHome,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: caddyHome,
      XDG_DATA_HOME: join(caddyHome, "data"),
      XDG_CONFIG_HOME: join(caddyHome, "config"),
    },
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
  });
  // Ready once it logs that the certificates for both names are issued (its own CA, at once).
  const log = await readUntil(
    caddy.stderr,
    /certificate obtained successfully[\s\S]*certificate obtained successfully/,
    30_000,
  );
  const rootCert = join(caddyHome, "data/caddy/pki/authorities/local/root.crt");
  if (!existsSync(rootCert)) throw new Error(`Caddy made no CA:\n${log}`);
  ca = readFileSync(rootCert, "utf8");
}, 120_000);

afterAll(async () => {
  caddy?.kill("SIGTERM");
  await caddy?.exited;
  server?.process.kill("SIGTERM");
  await server?.process.exited;
});

/** Reads `stream` until the text so far matches `pattern`; rejects at its end or after `timeoutMs`. */
async function readUntil(stream: ReadableStream<Uint8Array>, pattern: RegExp, timeoutMs: number) {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const timer = setTimeout(() => reader.cancel(), timeoutMs);
  try {
    while (!pattern.test(text)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`no ${pattern} in:\n${text}`);
      text += decoder.decode(value, { stream: true });
    }
    return text;
  } finally {
    clearTimeout(timer);
    reader.releaseLock();
    // Keep draining, so that Caddy never blocks on a full pipe.
    stream.pipeTo(new WritableStream()).catch(() => {});
  }
}

/**
 * POST over https from CLIENT_ADDRESS (Bun's fetch cannot choose its source address), to the
 * address, or to `name` (resolved to Caddy's address, as its DNS would) when given.
 */
function postFrom(
  path: string,
  body: unknown,
  name?: string,
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}> {
  const url = new URL(path, origin);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = https.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        localAddress: CLIENT_ADDRESS,
        ca,
        ...(name ? { servername: name } : {}),
        headers: {
          ...(name ? { host: `${name}:${url.port}` } : {}),
          "content-type": "application/json",
          "content-length": Buffer.byteLength(payload),
        },
      },
      (response) => {
        let text = "";
        response.on("data", (chunk) => {
          text += chunk;
        });
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }),
        );
      },
    );
    request.on("error", reject);
    request.end(payload);
  });
}

/** ALLOWED_HOSTS as deploy/opendray.service sets it. */
function unitAllowedHosts(): string {
  const line = serviceSettings().find(
    ([key, value]) => key === "Environment" && value.startsWith("ALLOWED_HOSTS="),
  );
  return line?.[1].slice("ALLOWED_HOSTS=".length) ?? "";
}

test("through Caddy: the public name reaches OpenDray, whose unit allows it as Host", async () => {
  const login = await postFrom("/api/v1/auth/login", ADMIN, PUBLIC_NAME);
  expect(login.status).toBe(200);
  expect(String(login.headers["set-cookie"])).toContain("Secure");
});

test("through Caddy: https sign-in sets a Secure cookie, and the audit log has the client's address", async () => {
  const login = await postFrom("/api/v1/auth/login", ADMIN);
  expect(login.status).toBe(200);
  const cookie = String(login.headers["set-cookie"]);
  expect(cookie).toMatch(/^od_token=[\w.-]+;/);
  for (const flag of ["Secure", "HttpOnly", "SameSite=Strict"]) expect(cookie).toContain(flag);

  const audit = await fetch(`${origin}/api/v1/audit?limit=20`, {
    headers: server.auth,
    tls: { ca },
  });
  expect(audit.status).toBe(200);
  expect(audit.headers.get("strict-transport-security")).toBe("max-age=31536000");
  const { entries } = bodyOf(await readResponse(audit), 200, auditListSchema);
  const signIn = entries.find((e) => e.action === "auth.login" && e.clientIp === CLIENT_ADDRESS);
  expect(signIn?.outcome).toBe("ok");
});

test("through Caddy: a cookie-signed browser starts a session and streams it over wss://", async () => {
  const login = await postFrom("/api/v1/auth/login", ADMIN);
  const cookie = String(login.headers["set-cookie"]).split(";")[0] ?? "";
  // As a browser on this origin: cookie, Origin, JSON.
  const browser = { cookie, origin };
  const created = await fetch(`${origin}/api/v1/sessions`, {
    method: "POST",
    headers: { ...browser, "content-type": "application/json" },
    body: JSON.stringify({
      provider: "shell",
      cwd: dir,
      args: ["-c", "read line; echo got:$line"],
    }),
    tls: { ca },
  });
  const session = bodyOf(await readResponse(created), 201, sessionSchema);

  const wss = `${origin.replace(/^https/, "wss")}/api/v1/sessions/${session.id}/stream?since=0`;
  const viewer = await StreamClient.connect(wss, browser, { ca });
  await viewer.waitForEvent("hello");
  viewer.send(new TextEncoder().encode("through-caddy\r"));
  await viewer.waitForText("got:through-caddy");
  expect((await viewer.waitForClose()).code).toBe(1000);
  expect(viewer.events.at(-1)).toEqual({ type: "exit", exitCode: 0, signal: null });

  // A foreign page cannot open the stream with the same cookie.
  await expect(
    StreamClient.connect(wss, { cookie, origin: "https://evil.example" }, { ca }),
  ).rejects.toThrow();
}, 60_000);
