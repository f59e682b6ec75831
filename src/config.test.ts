// Tests for the environment parser: defaults, each variable good and bad,
// *_FILE secrets, and the shape of every ConfigError.

import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { secretProblem } from "./cli/serve.ts";
import {
  type Config,
  type ConfigDeps,
  ConfigError,
  describeConfigVariables,
  inheritableEnvironment,
  loadConfig,
} from "./config.ts";

type Env = Record<string, string | undefined>;

const HOME = "/home/tester";

function noFiles(path: string): string {
  throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), {
    code: "ENOENT",
  });
}

function load(env: Env, deps: ConfigDeps = {}) {
  return loadConfig(env, { homeDir: HOME, readFile: noFiles, ...deps });
}

/** Loads `env` expecting failure and returns the ConfigError. */
function errorOf(env: Env, deps: ConfigDeps = {}): ConfigError {
  try {
    load(env, deps);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

/** Loads `name=value` expecting a ConfigError that names `name`; returns its message. */
function refusal(name: string, value: string): string {
  const error = errorOf({ [name]: value });
  expect(error.variable).toBe(name);
  return error.message;
}

/** `name=value` loads with `key` set to `expected`. */
function gives(name: string, value: string, key: keyof Config, expected: string | number): void {
  expect<unknown>(load({ [name]: value })[key]).toBe(expected);
}

function files(contents: Record<string, string>): ConfigDeps {
  return { readFile: (path) => contents[path] ?? noFiles(path) };
}

describe("defaults", () => {
  test("an empty environment gives the documented defaults", () => {
    expect(load({})).toEqual({
      listen: { host: "127.0.0.1", port: 8640, isLoopback: true },
      jwtSecret: null,
      metricsToken: null,
      secretsKey: null,
      jwtTtlMs: 12 * 3_600_000,
      dataDir: "/home/tester/.local/share/opendray",
      database: { kind: "pglite", dataDir: "/home/tester/.local/share/opendray/pgdata" },
      trustProxy: false,
      allowedOrigins: [],
      allowedHosts: [],
      rateLimitSessionOps: { count: 10, perMs: 60_000 },
      rateLimitReads: { count: 60, perMs: 60_000 },
      rateLimitUploads: { count: 30, perMs: 60_000 },
      bodyLimitBytes: 1024 * 1024,
      uploadLimitBytes: 25 * 1024 * 1024,
      archiveLimitBytes: 1024 * 1024 * 1024,
      scrollbackBytes: 4 * 1024 * 1024,
      recordingLimitBytes: 16 * 1024 * 1024,
      snapshotScrollbackLines: 1000,
      mirrorGraceMs: 60_000,
      searchIndexLimitBytes: 8 * 1024 * 1024,
      searchIndexRateBytes: 1024 * 1024,
      idleAfterMs: 30_000,
      ptyBackend: "bun",
      ptyHost: "auto",
      resumeOnStart: 0,
      admin: null,
      pushSubject: "mailto:opendray@localhost",
      pushAllowHosts: [],
      telegram: null,
      logLevel: "info",
    });
  });

  test("Telegram needs a bot token and chat ids together", () => {
    const token = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ_abc-def";
    expect(load({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_CHAT_IDS: "42, -1001234" }).telegram).toEqual(
      {
        token,
        chatIds: [42, -1001234],
        apiUrl: "https://api.telegram.org",
      },
    );
    expect(() => load({ TELEGRAM_BOT_TOKEN: token })).toThrow(/^TELEGRAM_CHAT_IDS: is required/);
    expect(() => load({ TELEGRAM_CHAT_IDS: "42" })).toThrow(/^TELEGRAM_CHAT_IDS: /);
    expect(() => load({ TELEGRAM_BOT_TOKEN: "nope", TELEGRAM_CHAT_IDS: "42" })).toThrow(
      /^TELEGRAM_BOT_TOKEN: /,
    );
    expect(() => load({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_CHAT_IDS: "42,abc" })).toThrow(
      /^TELEGRAM_CHAT_IDS: /,
    );
    expect(
      load({
        TELEGRAM_BOT_TOKEN: token,
        TELEGRAM_CHAT_IDS: "1",
        TELEGRAM_API_URL: "http://127.0.0.1:8081/",
      }).telegram?.apiUrl,
    ).toBe("http://127.0.0.1:8081");
  });

  test("PUSH_SUBJECT must be a mailto: or https: URL; PUSH_ALLOW_HOSTS is a list of hosts", () => {
    expect(load({ PUSH_SUBJECT: "https://dray.example.com" }).pushSubject).toBe(
      "https://dray.example.com",
    );
    expect(() => load({ PUSH_SUBJECT: "me@example.com" })).toThrow(/^PUSH_SUBJECT: /);
    expect(load({ PUSH_ALLOW_HOSTS: "push.lan:8443, localhost" }).pushAllowHosts).toEqual([
      "push.lan:8443",
      "localhost",
    ]);
    expect(() => load({ PUSH_ALLOW_HOSTS: "https://push.lan" })).toThrow(/^PUSH_ALLOW_HOSTS: /);
  });

  test("empty strings count as unset", () => {
    const env = Object.fromEntries(describeConfigVariables().map(({ name }) => [name, ""]));
    expect(load(env)).toEqual(load({}));
  });

  test("dataDir defaults under an absolute XDG_DATA_HOME", () => {
    const config = load({ XDG_DATA_HOME: "/xdg/data/" });
    expect(config.dataDir).toBe("/xdg/data/opendray");
    expect(config.database).toEqual({ kind: "pglite", dataDir: "/xdg/data/opendray/pgdata" });
  });

  test("a relative XDG_DATA_HOME is ignored, as the XDG spec requires", () => {
    expect(load({ XDG_DATA_HOME: "xdg" }).dataDir).toBe("/home/tester/.local/share/opendray");
  });

  test("dataDir without DATA_DIR or a home directory is an error naming DATA_DIR", () => {
    expect(errorOf({}, { homeDir: "" }).variable).toBe("DATA_DIR");
  });

  test("the default readFile and homeDir come from node:fs and node:os", () => {
    const dir = mkdtempSync(join(tmpdir(), "opendray-config-"));
    try {
      writeFileSync(join(dir, "secret"), "from-disk\n");
      const config = loadConfig({ JWT_SECRET_FILE: join(dir, "secret") });
      expect(config.jwtSecret).toBe("from-disk");
      expect(config.dataDir.endsWith("opendray")).toBe(true);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  test("the result is deeply frozen", () => {
    const config = load({
      ALLOWED_ORIGINS: "https://a.example",
      ADMIN_USERNAME: "a",
      ADMIN_PASSWORD: "b",
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.listen)).toBe(true);
    expect(Object.isFrozen(config.database)).toBe(true);
    expect(Object.isFrozen(config.allowedOrigins)).toBe(true);
    expect(Object.isFrozen(config.rateLimitReads)).toBe(true);
    expect(Object.isFrozen(config.admin)).toBe(true);
  });
});

describe("LISTEN_ADDR", () => {
  test.each([
    ["127.0.0.1:8640", "127.0.0.1", 8640, true],
    ["127.8.9.10:1", "127.8.9.10", 1, true],
    ["localhost:3000", "localhost", 3000, true],
    ["LocalHost:3000", "LocalHost", 3000, true],
    ["[::1]:8640", "::1", 8640, true],
    ["[0:0:0:0:0:0:0:1]:8640", "0:0:0:0:0:0:0:1", 8640, true],
    ["[::ffff:127.0.0.1]:8640", "::ffff:127.0.0.1", 8640, true],
    ["127.0.0.1:0", "127.0.0.1", 0, true],
    ["0.0.0.0:80", "0.0.0.0", 80, false],
    ["[::]:65535", "::", 65535, false],
    ["192.168.1.5:8640", "192.168.1.5", 8640, false],
    ["128.0.0.1:8640", "128.0.0.1", 8640, false],
    ["example.com:443", "example.com", 443, false],
    ["[fe80::1%eth0]:8640", "fe80::1%eth0", 8640, false],
  ])("%p listens on host %p port %p, loopback %p", (value, host, port, isLoopback) => {
    expect(load({ LISTEN_ADDR: value }).listen).toEqual({ host, port, isLoopback });
  });

  test.each([
    ["foo", "is not host:port"],
    ["::1:8640", "brackets"],
    ["[::1]", "is not host:port"],
    ["127.0.0.1", "is not host:port"],
    ["127.0.0.1:65536", "0–65535"],
    ["127.0.0.1:-1", "0–65535"],
    ["127.0.0.1:http", "0–65535"],
    ["127.0.0.1:", "0–65535"],
    [":8640", "invalid host"],
    ["[nothex]:80", "invalid host"],
    ["999.1.1.1:80", "invalid host"],
    ["bad host:80", "invalid host"],
    ["[127.0.0.1]:80", "invalid host"],
  ])("%p is rejected (%s)", (value, why) => {
    const message = refusal("LISTEN_ADDR", value);
    expect(message).toStartWith(`LISTEN_ADDR: ${JSON.stringify(value)}`);
    expect(message).toContain(why);
    expect(message).toContain("[::1]:8640");
  });
});

describe("durations", () => {
  test.each([
    ["JWT_TTL", "250ms", "jwtTtlMs", 250],
    ["JWT_TTL", "90s", "jwtTtlMs", 90_000],
    ["JWT_TTL", "5m", "jwtTtlMs", 300_000],
    ["JWT_TTL", "12h", "jwtTtlMs", 43_200_000],
    ["JWT_TTL", "30d", "jwtTtlMs", 2_592_000_000],
    ["IDLE_AFTER", "1ms", "idleAfterMs", 1],
    ["IDLE_AFTER", "2m", "idleAfterMs", 120_000],
    ["IDLE_AFTER", "24d", "idleAfterMs", 24 * 86_400_000],
    ["MIRROR_GRACE", "300ms", "mirrorGraceMs", 300],
    ["MIRROR_GRACE", "10m", "mirrorGraceMs", 600_000],
  ] as const)("%s=%p gives %s %p", gives);

  test.each([
    ["JWT_TTL", "0s"],
    ["JWT_TTL", "12"],
    ["JWT_TTL", "1.5h"],
    ["JWT_TTL", "-1h"],
    ["JWT_TTL", "12H"],
    ["JWT_TTL", "12 h"],
    ["JWT_TTL", "1w"],
    ["JWT_TTL", "99999999999999999999d"],
    ["IDLE_AFTER", "0ms"],
    ["IDLE_AFTER", "soon"],
    ["MIRROR_GRACE", "forever"],
    ["IDLE_AFTER", "25d"],
  ])("%s=%p is rejected", (name, value) => {
    expect(refusal(name, value)).toStartWith(`${name}: ${JSON.stringify(value)} is`);
  });
});

describe("TRUST_PROXY", () => {
  test.each([
    ["1", true],
    ["true", true],
    ["TRUE", true],
    ["yes", true],
    ["On", true],
    ["0", false],
    ["false", false],
    ["no", false],
    ["OFF", false],
  ])("%p means %p", (value, expected) => {
    expect(load({ TRUST_PROXY: value }).trustProxy).toBe(expected);
  });

  test.each(["2", "maybe", "y", " on"])("%p is rejected", (value) => {
    expect(errorOf({ TRUST_PROXY: value }).message).toBe(
      `TRUST_PROXY: ${JSON.stringify(value)} is not a boolean (1/0, true/false, yes/no, on/off)`,
    );
  });
});

describe.each<{
  name: string;
  key: "allowedOrigins" | "allowedHosts";
  allowed: [string, string[]][];
  rejected: string[];
  why: string;
}>([
  {
    name: "ALLOWED_ORIGINS",
    key: "allowedOrigins",
    allowed: [
      ["https://a.example", ["https://a.example"]],
      ["https://a.example, http://localhost:5173", ["https://a.example", "http://localhost:5173"]],
      ["HTTPS://A.Example:443/", ["https://a.example"]],
      ["http://[::1]:8640", ["http://[::1]:8640"]],
      ["https://a.example,https://a.example/,", ["https://a.example"]],
    ],
    rejected: [
      "a.example",
      "*",
      "null",
      "ftp://a.example",
      "https://a.example/app",
      "https://a.example?x=1",
      "https://a.example#top",
      "https://user@a.example",
      "https://",
      "https://a.example, ws://b.example",
    ],
    why: "is not an http(s) origin (scheme://host[:port], no path)",
  },
  {
    name: "ALLOWED_HOSTS",
    key: "allowedHosts",
    allowed: [
      ["dray.example.com", ["dray.example.com"]],
      ["Dray.Example.COM., proxy.internal:8443", ["dray.example.com", "proxy.internal:8443"]],
      ["dray.example.com:08443,dray.example.com:8443,", ["dray.example.com:8443"]],
      ["[::1]:8640, 10.0.0.5", ["[::1]:8640", "10.0.0.5"]],
    ],
    rejected: [
      "https://dray.example.com",
      "dray.example.com/app",
      "*.example.com",
      "dray.example.com:0",
      "dray.example.com:70000",
      "dray example.com",
      "1.2.3",
      "[not-v6]",
      "::1",
      "a.example, b_c.example",
    ],
    why: "is not a host name with an optional port",
  },
])("$name", ({ name, key, allowed, rejected, why }) => {
  test.each(allowed)("%p allows %p", (value, expected) => {
    expect(load({ [name]: value })[key]).toEqual(expected);
  });

  test.each(rejected)("%p is rejected", (value) => {
    expect(refusal(name, value)).toContain(why);
  });
});

describe("JWT_SECRET strength (checked by serve and doctor)", () => {
  const publicBind = (secret: string) =>
    secretProblem(load({ LISTEN_ADDR: "0.0.0.0:8640", JWT_SECRET: secret }));

  test.each([
    ["32 spaces", " ".repeat(32), "only whitespace"],
    ["tabs, newlines and ideographic spaces", "\t\n\u3000 ".repeat(10), "only whitespace"],
    ["one repeated character", "a".repeat(40), "only 1 distinct byte (at least 8 needed)"],
    ["a short repeated pattern", "abc-".repeat(10), "only 4 distinct bytes (at least 8 needed)"],
  ])("%s is refused, saying how to make a secret", (_, secret, why) => {
    expect(publicBind(secret)).toBe(
      `JWT_SECRET: ${why}, anyone could guess it; generate one with: openssl rand -base64 48`,
    );
    // On loopback too: a set secret is used as it is, and local users can reach loopback.
    expect(secretProblem(load({ JWT_SECRET: secret }))).toStartWith(`JWT_SECRET: ${why}`);
  });

  test.each([
    ["openssl rand -base64 48", "q3H0n7Yc1mZ9b+Wk2Lr8dVt4pXs6aE5uGf0jNhK1yOiR3lC7wBzT9eM2vQxS8oPD"],
    ["openssl rand -hex 16", "9f86d081884c7d659a2feaa0c55ad015"],
    ["a long phrase", "a-secret-of-at-least-thirty-two-bytes!!"],
  ])("%s is accepted", (_, secret) => {
    expect(publicBind(secret)).toBeNull();
  });
});

describe("rate limits", () => {
  test.each([
    ["10/min", 10, 60_000],
    ["5/s", 5, 1000],
    ["5/sec", 5, 1000],
    ["5/second", 5, 1000],
    ["100/m", 100, 60_000],
    ["100/minute", 100, 60_000],
    ["1000/h", 1000, 3_600_000],
    ["1000/hour", 1000, 3_600_000],
    ["7 / MIN", 7, 60_000],
  ])("%p allows %p per %p ms", (value, count, perMs) => {
    expect(load({ RATE_LIMIT_SESSION_OPS: value }).rateLimitSessionOps).toEqual({ count, perMs });
    expect(load({ RATE_LIMIT_READS: value }).rateLimitReads).toEqual({ count, perMs });
  });

  test.each([
    ["RATE_LIMIT_SESSION_OPS", "0/min"],
    ["RATE_LIMIT_SESSION_OPS", "-1/min"],
    ["RATE_LIMIT_SESSION_OPS", "1.5/min"],
    ["RATE_LIMIT_SESSION_OPS", "10"],
    ["RATE_LIMIT_READS", "10/day"],
    ["RATE_LIMIT_READS", "lots"],
    ["RATE_LIMIT_READS", "/min"],
  ])("%s=%p is rejected", (name, value) => {
    expect(errorOf({ [name]: value }).message).toBe(
      `${name}: ${JSON.stringify(value)} is not a rate (positive integer per s|m|h, e.g. 10/min or 5/sec)`,
    );
  });
});

describe("sizes", () => {
  test.each([
    ["BODY_LIMIT", "1mb", "bodyLimitBytes", 1_048_576],
    ["BODY_LIMIT", "512kb", "bodyLimitBytes", 524_288],
    ["BODY_LIMIT", "100", "bodyLimitBytes", 100],
    ["BODY_LIMIT", "100b", "bodyLimitBytes", 100],
    ["BODY_LIMIT", "1.5MB", "bodyLimitBytes", 1_572_864],
    ["UPLOAD_LIMIT", "200mb", "uploadLimitBytes", 209_715_200],
    ["ARCHIVE_LIMIT", "2mb", "archiveLimitBytes", 2_097_152],
    ["UPLOAD_LIMIT", "64gb", "uploadLimitBytes", 68_719_476_736],
    ["SCROLLBACK_BYTES", "4kb", "scrollbackBytes", 4096],
    ["SCROLLBACK_BYTES", "16 mb", "scrollbackBytes", 16_777_216],
    ["SCROLLBACK_BYTES", "1gb", "scrollbackBytes", 1_073_741_824],
    ["SNAPSHOT_SCROLLBACK_LINES", "0", "snapshotScrollbackLines", 0],
    ["RECORDING_LIMIT", "0", "recordingLimitBytes", 0],
    ["RECORDING_LIMIT", "0mb", "recordingLimitBytes", 0],
    ["RECORDING_LIMIT", "4kb", "recordingLimitBytes", 4096],
    ["RECORDING_LIMIT", "64mb", "recordingLimitBytes", 67_108_864],
    ["SNAPSHOT_SCROLLBACK_LINES", "100000", "snapshotScrollbackLines", 100_000],
  ] as const)("%s=%p gives %s %p", gives);

  test.each([
    ["BODY_LIMIT", "0", "expected 1B to"],
    ["UPLOAD_LIMIT", "65gb", "expected 1B to"],
    ["BODY_LIMIT", "-1mb", "is not a size"],
    ["BODY_LIMIT", "big", "is not a size"],
    ["BODY_LIMIT", "12abc", "is not a size"],
    ["BODY_LIMIT", "1 megabyte", "is not a size"],
    ["SCROLLBACK_BYTES", "4095", "expected 4KB to 1GB"],
    ["SCROLLBACK_BYTES", "2gb", "expected 4KB to 1GB"],
    ["SNAPSHOT_SCROLLBACK_LINES", "100001", "an integer from 0 to 100000"],
    ["RECORDING_LIMIT", "100", "expected 4KB to 1GB"],
    ["RECORDING_LIMIT", "2gb", "expected 4KB to 1GB"],
    ["RECORDING_LIMIT", "lots", "is not a size"],
    ["SNAPSHOT_SCROLLBACK_LINES", "-1", "an integer from 0 to 100000"],
  ])("%s=%p is rejected (%s)", (name, value, why) => {
    const message = refusal(name, value);
    expect(message).toStartWith(`${name}: ${JSON.stringify(value)} is`);
    expect(message).toContain(why);
  });
});

describe("enums", () => {
  test.each([
    ["PTY_BACKEND", "bun", "ptyBackend", "bun"],
    ["PTY_BACKEND", "bun-pty", "ptyBackend", "bun-pty"],
    ["LOG_LEVEL", "debug", "logLevel", "debug"],
    ["LOG_LEVEL", "warn", "logLevel", "warn"],
    ["LOG_LEVEL", "ERROR", "logLevel", "error"],
  ] as const)("%s=%p gives %s %p", gives);

  test.each([
    ["PTY_BACKEND", "node-pty", 'PTY_BACKEND: "node-pty" is not bun or bun-pty'],
    ["PTY_BACKEND", "BUN", 'PTY_BACKEND: "BUN" is not bun or bun-pty'],
    ["LOG_LEVEL", "trace", 'LOG_LEVEL: "trace" is not debug, info, warn or error'],
  ])("%s=%p is rejected", (name, value, message) => {
    expect(errorOf({ [name]: value }).message).toBe(message);
  });
});

describe("DATA_DIR", () => {
  test.each([
    ["/srv/opendray", "/srv/opendray"],
    ["/srv/opendray/", "/srv/opendray"],
    ["/srv/../var/opendray", "/var/opendray"],
  ])("%p gives %p and pglite beneath it", (value, expected) => {
    const config = load({ DATA_DIR: value });
    expect(config.dataDir).toBe(expected);
    expect(config.database).toEqual({ kind: "pglite", dataDir: `${expected}/pgdata` });
  });

  test.each(["data", "./data", "~/data"])("%p is rejected as not absolute", (value) => {
    expect(errorOf({ DATA_DIR: value }).message).toBe(
      `DATA_DIR: ${JSON.stringify(value)} is not an absolute path`,
    );
  });
});

describe("database", () => {
  test.each([
    "postgres://od:secret@db.internal:5432/opendray",
    "postgresql://od@localhost/opendray?sslmode=require",
  ])("DATABASE_URL %p is used as given", (url) => {
    expect(load({ DATABASE_URL: url }).database).toEqual({ kind: "postgres", url });
  });

  test.each([
    "mysql://od:hunter2-secret@db/opendray",
    "not a url hunter2-secret",
    "postgres://od:hunter2-secret@db/opendray extra",
  ])("DATABASE_URL %p is rejected without quoting it", (url) => {
    expect(refusal("DATABASE_URL", url)).not.toContain("hunter2");
  });

  test("DB_* build a URL whose special characters survive a round trip", () => {
    const password = "p@ss:w/rd?#%&= ü'\"";
    const config = load({
      DB_HOST: "db.internal",
      DB_USER: "od user@corp",
      DB_PASSWORD: password,
      DB_NAME: "open/dray db",
    });
    if (config.database.kind !== "postgres") throw new Error("expected postgres");
    const url = new URL(config.database.url);
    expect(url.protocol).toBe("postgres:");
    expect(url.hostname).toBe("db.internal");
    expect(url.port).toBe("5432");
    expect(decodeURIComponent(url.username)).toBe("od user@corp");
    expect(decodeURIComponent(url.password)).toBe(password);
    expect(decodeURIComponent(url.pathname.slice(1))).toBe("open/dray db");
  });

  const DB = { DB_HOST: "db", DB_USER: "od", DB_NAME: "app" };
  const URL_ONLY = { DATABASE_URL: "postgres://h/db" };
  test.each([
    ["postgres://od@db:5432/app", DB],
    ["postgres://od@10.0.0.2:6543/app", { ...DB, DB_HOST: "10.0.0.2", DB_PORT: "6543" }],
    ["postgres://od:pw@[::1]:5432/app", { ...DB, DB_HOST: "::1", DB_PASSWORD: "pw" }],
    ["postgres://od@[::1]:5432/app", { ...DB, DB_HOST: "[::1]" }],
  ])("DB_* build %s", (url, env) => {
    expect(load(env).database).toEqual({ kind: "postgres", url });
  });

  test.each([
    ["DB_HOST: is required when DB_USER is set (or set DATABASE_URL)", { ...DB, DB_HOST: "" }],
    ["DB_HOST: is required when DB_PASSWORD is set (or set DATABASE_URL)", { DB_PASSWORD: "pw" }],
    ["DB_USER: is required when DB_HOST is set (or set DATABASE_URL)", { ...DB, DB_USER: "" }],
    ["DB_NAME: is required when DB_HOST is set (or set DATABASE_URL)", { ...DB, DB_NAME: "" }],
    ['DB_PORT: "0" is not a port in 1–65535', { ...DB, DB_PORT: "0" }],
    ['DB_PORT: "5432x" is not a port in 1–65535', { ...DB, DB_PORT: "5432x" }],
    [
      'DB_HOST: "db/x" is not a host name or IP address (use DATABASE_URL for other forms)',
      { ...DB, DB_HOST: "db/x" },
    ],
    [
      "DB_HOST: cannot be combined with DATABASE_URL; set one or the other",
      { ...URL_ONLY, DB_HOST: "db" },
    ],
    [
      "DB_PASSWORD: cannot be combined with DATABASE_URL; set one or the other",
      { ...URL_ONLY, DB_PASSWORD: "pw" },
    ],
  ])("rejects with %p", (message, env) => {
    const error = errorOf(env);
    expect(error.message).toBe(message);
    expect(message).toStartWith(`${error.variable}: `);
  });
});

describe("ADMIN_USERNAME and ADMIN_PASSWORD", () => {
  test("both set create the first admin", () => {
    expect(load({ ADMIN_USERNAME: "root", ADMIN_PASSWORD: "pw" }).admin).toEqual({
      username: "root",
      password: "pw",
    });
  });

  test.each([
    ["ADMIN_USERNAME", "ADMIN_PASSWORD", { ADMIN_USERNAME: "root" }],
    ["ADMIN_PASSWORD", "ADMIN_USERNAME", { ADMIN_PASSWORD: "pw" }],
    ["ADMIN_PASSWORD_FILE", "ADMIN_USERNAME", { ADMIN_PASSWORD_FILE: "/pw" }],
  ])("%s alone is an error naming %s", (_, variable, env) => {
    expect(errorOf(env, files({ "/pw": "pw" })).variable).toBe(variable);
  });
});

describe("METRICS_TOKEN", () => {
  test.each([
    ["shorter than 32 characters", "a".repeat(31)],
    ["with a space", `${"a".repeat(20)} ${"b".repeat(20)}`],
  ])("%s is an error naming it, never printing it", (_, token) => {
    expect(refusal("METRICS_TOKEN", token)).not.toContain(token);
  });

  test("32 characters are enough", () => {
    expect(load({ METRICS_TOKEN: "m".repeat(32) }).metricsToken).toBe("m".repeat(32));
  });
});

describe("*_FILE variants", () => {
  const readBack: Record<string, (env: Env, deps: ConfigDeps) => string | null> = {
    JWT_SECRET: (env, deps) => load(env, deps).jwtSecret,
    SECRETS_KEY: (env, deps) => load(env, deps).secretsKey,
    METRICS_TOKEN: (env, deps) => load(env, deps).metricsToken,
    DB_PASSWORD: (env, deps) => {
      const db = load(env, deps).database;
      return db.kind === "postgres" ? decodeURIComponent(new URL(db.url).password) : null;
    },
    ADMIN_PASSWORD: (env, deps) => load(env, deps).admin?.password ?? null,
    DATABASE_URL: (env, deps) => {
      const db = load(env, deps).database;
      return db.kind === "postgres" ? db.url : null;
    },
  };
  const sample: Record<string, string> = {
    JWT_SECRET: "s3cret-value-0123456789abcdef0123456789",
    SECRETS_KEY: "s3cret-value-0123456789abcdef0123456789",
    METRICS_TOKEN: "scrape-token-0123456789abcdef0123456789",
    DB_PASSWORD: "s3cret-value",
    ADMIN_PASSWORD: "s3cret-value",
    DATABASE_URL: "postgres://od:s3cret-value@db/opendray",
  };
  // Each file-backed variable with the other variables it needs to take effect.
  const cases: [string, Env][] = [
    ["JWT_SECRET", {}],
    ["SECRETS_KEY", {}],
    ["METRICS_TOKEN", {}],
    ["DB_PASSWORD", { DB_HOST: "h", DB_USER: "u", DB_NAME: "d" }],
    ["ADMIN_PASSWORD", { ADMIN_USERNAME: "root" }],
    ["DATABASE_URL", {}],
  ];

  const endings: [string, string][] = [
    ["\\n", "\n"],
    ["\\r\\n", "\r\n"],
    ["no newline", ""],
  ];
  test.each(
    cases.flatMap(([name, base]) =>
      endings.map(([label, ending]) => [name, label, base, ending] as const),
    ),
  )("%s_FILE ending in %s yields the bare value", (name, _, base, ending) => {
    const value = sample[name] ?? "";
    const deps = files({ "/run/secret": `${value}${ending}` });
    expect(readBack[name]?.({ ...base, [`${name}_FILE`]: "/run/secret" }, deps)).toBe(value);
  });

  test("only one trailing newline is stripped", () => {
    expect(load({ JWT_SECRET_FILE: "/s" }, files({ "/s": "a\nb\n\n" })).jwtSecret).toBe("a\nb\n");
  });

  test.each(cases)("setting both %s and its _FILE is an error", (name, base) => {
    const error = errorOf(
      { ...base, [name]: sample[name], [`${name}_FILE`]: "/run/secret" },
      files({ "/run/secret": "other" }),
    );
    expect(error.variable).toBe(name);
    expect(error.message).toBe(`${name}: both ${name} and ${name}_FILE are set; set only one`);
  });

  test.each(cases)("an unreadable %s_FILE is an error naming it", (name, base) => {
    const error = errorOf({ ...base, [`${name}_FILE`]: "/run/missing" });
    expect(error.variable).toBe(`${name}_FILE`);
    expect(error.message).toBe(`${name}_FILE: cannot read "/run/missing" (ENOENT)`);
  });

  test.each(cases)("an empty %s_FILE is an error naming it", (name, base) => {
    const error = errorOf(
      { ...base, [`${name}_FILE`]: "/run/empty" },
      files({ "/run/empty": "\n" }),
    );
    expect(error.variable).toBe(`${name}_FILE`);
    expect(error.message).toContain("is empty");
  });
});

describe("error messages", () => {
  const SECRET = "s3cret-value-never-printed";
  test.each([
    ["JWT_SECRET and its file", { JWT_SECRET: SECRET, JWT_SECRET_FILE: "/s" }],
    ["ADMIN_PASSWORD without a user", { ADMIN_PASSWORD: SECRET }],
    [
      "ADMIN_PASSWORD and its file",
      { ADMIN_USERNAME: "root", ADMIN_PASSWORD: SECRET, ADMIN_PASSWORD_FILE: "/s" },
    ],
    ["DB_PASSWORD without a host", { DB_PASSWORD: SECRET }],
    [
      "DB_PASSWORD beside DATABASE_URL",
      { DB_PASSWORD: SECRET, DATABASE_URL: `postgres://u:${SECRET}@h/d` },
    ],
    ["DATABASE_URL of the wrong scheme", { DATABASE_URL: `mysql://u:${SECRET}@h/d` }],
    ["DATABASE_URL from a file, malformed", { DATABASE_URL_FILE: "/s" }],
    [
      "a bad variable after secrets",
      { JWT_SECRET: SECRET, ADMIN_USERNAME: "r", ADMIN_PASSWORD: SECRET, LOG_LEVEL: "x" },
    ],
  ])("%s: one line, names the variable, hides the secret", (_, env) => {
    const error = errorOf(env, files({ "/s": `http://u:${SECRET}@h/\n` }));
    expect(error.message).not.toContain(SECRET);
    expect(error.message).not.toMatch(/[\r\n]/);
    expect(error.message).toStartWith(`${error.variable}: `);
    expect(describeConfigVariables().map((v) => v.name)).toContain(error.variable);
  });

  test("ConfigError folds a multi-line detail into one line", () => {
    const error = new ConfigError("X", "first\n  second\r\nthird");
    expect(error.message).toBe("X: first second third");
    expect(error.name).toBe("ConfigError");
    expect(error).toBeInstanceOf(Error);
  });

  test("a very long bad value is shortened in the message", () => {
    const message = errorOf({ LISTEN_ADDR: "x".repeat(500) }).message;
    expect(message.length).toBeLessThan(200);
  });
});

describe("describeConfigVariables", () => {
  const names = describeConfigVariables().map((v) => v.name);

  test("documents every variable of the contract once", () => {
    expect(new Set(names).size).toBe(names.length);
    for (const name of [
      "LISTEN_ADDR",
      "JWT_SECRET",
      "JWT_SECRET_FILE",
      "JWT_TTL",
      "SECRETS_KEY",
      "SECRETS_KEY_FILE",
      "METRICS_TOKEN",
      "METRICS_TOKEN_FILE",
      "DATABASE_URL",
      "DATABASE_URL_FILE",
      "DB_HOST",
      "DB_PORT",
      "DB_USER",
      "DB_PASSWORD",
      "DB_PASSWORD_FILE",
      "DB_NAME",
      "DATA_DIR",
      "TRUST_PROXY",
      "ALLOWED_ORIGINS",
      "RATE_LIMIT_SESSION_OPS",
      "RATE_LIMIT_READS",
      "BODY_LIMIT",
      "SCROLLBACK_BYTES",
      "IDLE_AFTER",
      "PTY_BACKEND",
      "ADMIN_USERNAME",
      "ADMIN_PASSWORD",
      "ADMIN_PASSWORD_FILE",
      "LOG_LEVEL",
    ]) {
      expect(names).toContain(name);
    }
  });

  test.each([
    ["LISTEN_ADDR", "127.0.0.1:8640"],
    ["JWT_TTL", "12h"],
    ["TRUST_PROXY", "off"],
    ["RATE_LIMIT_SESSION_OPS", "10/min"],
    ["RATE_LIMIT_READS", "60/min"],
    ["BODY_LIMIT", "1mb"],
    ["SCROLLBACK_BYTES", "4mb"],
    ["RECORDING_LIMIT", "16mb"],
    ["IDLE_AFTER", "30s"],
    ["PTY_BACKEND", "bun"],
    ["DATA_DIR", "$XDG_DATA_HOME/opendray or ~/.local/share/opendray"],
  ])("documents %s with the default %p", (name, expected) => {
    expect(describeConfigVariables().find((v) => v.name === name)?.default).toBe(expected);
  });

  test("loadConfig reads exactly the documented variables", () => {
    const read = new Set<string>();
    const env = new Proxy({} as Env, {
      get: (_, key) => {
        if (typeof key === "string") read.add(key);
        return undefined;
      },
    });
    load(env);
    expect([...read].sort()).toEqual([...names].sort());
  });
});

test("sessions inherit the environment without OpenDray's own variables or CI markers", () => {
  const inherited = inheritableEnvironment({
    PATH: "/usr/bin",
    HOME: "/home/u",
    XDG_DATA_HOME: "/home/u/.local/share",
    JWT_SECRET: "s".repeat(40),
    DB_PASSWORD_FILE: "/run/secret",
    ADMIN_PASSWORD: "pw",
    CREDENTIALS_DIRECTORY: "/run/credentials/opendray.service",
    CI: "true",
    CONTINUOUS_INTEGRATION: "1",
    CI_JOB_TOKEN: "t",
    CIRCLECI: "true",
    DOCKER_CI: "x",
  });
  expect(inherited).toEqual({
    CIRCLECI: "true",
    DOCKER_CI: "x",
    PATH: "/usr/bin",
    HOME: "/home/u",
    XDG_DATA_HOME: "/home/u/.local/share",
  });
});
