// The only reader of the environment: one documented table of variables, parsed
// into a deeply frozen Config, or one ConfigError naming the variable at fault.

import { readFileSync } from "node:fs";
import { isIPv4, isIPv6 } from "node:net";
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import bytes from "bytes";
import { z } from "zod";
import { canonicalUsername, usernameProblem } from "./protocol/auth.ts";

/** A token-bucket rate: `count` requests per `perMs` milliseconds. */
export interface RateLimit {
  count: number;
  perMs: number;
}

/** The server's whole configuration; every field is read once, at start-up. */
export interface Config {
  listen: { host: string; port: number; isLoopback: boolean };
  jwtSecret: string | null;
  /** METRICS_TOKEN(_FILE): a static bearer token that reads GET /metrics and nothing else. */
  metricsToken: string | null;
  /** SECRETS_KEY(_FILE): key for provider secrets at rest; null → DATA_DIR/secrets.key. */
  secretsKey: string | null;
  jwtTtlMs: number;
  dataDir: string;
  database: { kind: "pglite"; dataDir: string } | { kind: "postgres"; url: string };
  trustProxy: boolean;
  allowedOrigins: string[];
  /** ALLOWED_HOSTS: `name` (any port) or `name:port`, lower case, no trailing dot. */
  allowedHosts: string[];
  rateLimitSessionOps: RateLimit;
  rateLimitReads: RateLimit;
  /** RATE_LIMIT_UPLOADS: per user, POST /sessions/:id/uploads. */
  rateLimitUploads: RateLimit;
  bodyLimitBytes: number;
  /** UPLOAD_LIMIT: largest file one upload streams to disk, in bytes (not BODY_LIMIT). */
  uploadLimitBytes: number;
  /** ARCHIVE_LIMIT: most bytes of file contents one folder download (.tar.gz) holds. */
  archiveLimitBytes: number;
  scrollbackBytes: number;
  /** RECORDING_LIMIT: most bytes of a session's recording file; 0 = no recordings. */
  recordingLimitBytes: number;
  /** Lines of scrollback in a session's server-side terminal and its snapshots. */
  snapshotScrollbackLines: number;
  /** PTY_HOST=auto: how long an unwatched session's output copy is kept. */
  mirrorGraceMs: number;
  /** SEARCH_INDEX_LIMIT: bytes of output text kept searchable per session; 0 = no indexing. */
  searchIndexLimitBytes: number;
  /** SEARCH_INDEX_RATE: bytes of output per second the search indexer reads, all sessions together. */
  searchIndexRateBytes: number;
  idleAfterMs: number;
  ptyBackend: "bun" | "bun-pty";
  /** Where PTYs live: a long-lived PTY host process, or this one. */
  ptyHost: "auto" | "inprocess";
  /** Interrupted resumable sessions restarted at once after start-up; 0 = none. */
  resumeOnStart: number;
  admin: { username: string; password: string } | null;
  /** PUSH_SUBJECT: the VAPID subject (mailto: or https:). */
  pushSubject: string;
  /** PUSH_ALLOW_HOSTS: push service hosts allowed on private addresses, as ALLOWED_HOSTS. */
  pushAllowHosts: string[];
  /** TELEGRAM_*: the bot and the chats it talks with; null without a token. */
  telegram: { token: string; chatIds: number[]; apiUrl: string } | null;
  logLevel: "debug" | "info" | "warn" | "error";
}

/** Bad configuration: `message` is one line, `<VARIABLE>: <what is wrong>`, never a secret. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`${variable}: ${detail.replace(/\s*[\r\n]+\s*/g, " ")}`);
    this.name = "ConfigError";
  }
}

// The contract of DESIGN §3. `read()` only accepts names from this table, so
// nothing undocumented can be read.
// biome-ignore format: one row per variable reads as the table it is
const VARIABLES = [
  ["LISTEN_ADDR", "127.0.0.1:8640", "host:port to listen on; IPv6 in brackets ([::1]:8640); port 0 picks a free port"],
  ["JWT_SECRET", "empty", "HS256 signing secret; required (≥ 32 bytes) for a non-loopback bind; unset on loopback: a 0600 key file DATA_DIR/jwt.key, created on first start, so sign-ins survive restarts"],
  ["JWT_SECRET_FILE", "unset", "file holding JWT_SECRET (one trailing newline stripped); exclusive with JWT_SECRET"],
  ["SECRETS_KEY", "unset", "32-byte key (base64 or hex) encrypting provider secrets at rest; unset: a 0600 key file DATA_DIR/secrets.key, created on first use"],
  ["SECRETS_KEY_FILE", "unset", "file holding SECRETS_KEY (one trailing newline stripped); exclusive with SECRETS_KEY"],
  ["JWT_TTL", "12h", "token lifetime: integer + ms|s|m|h|d"],
  ["METRICS_TOKEN", "unset", "static bearer token (≥ 32 characters) for Prometheus: it reads GET /metrics and nothing else; admins' tokens work there too"],
  ["METRICS_TOKEN_FILE", "unset", "file holding METRICS_TOKEN (one trailing newline stripped); exclusive with METRICS_TOKEN"],
  ["DATA_DIR", "$XDG_DATA_HOME/opendray or ~/.local/share/opendray", "absolute path of the data directory, created 0700"],
  ["XDG_DATA_HOME", "unset", "base of the default DATA_DIR when it is an absolute path"],
  ["DATABASE_URL", "unset", "postgres:// or postgresql:// URL; unset with no DB_* → embedded PGlite in DATA_DIR/pgdata"],
  ["DATABASE_URL_FILE", "unset", "file holding DATABASE_URL (one trailing newline stripped); exclusive with DATABASE_URL"],
  ["DB_HOST", "unset", "PostgreSQL host name or IP; required when any DB_* is set; exclusive with DATABASE_URL"],
  ["DB_PORT", "5432", "PostgreSQL port, 1–65535"],
  ["DB_USER", "unset", "PostgreSQL user; required when any DB_* is set"],
  ["DB_PASSWORD", "unset", "PostgreSQL password (optional)"],
  ["DB_PASSWORD_FILE", "unset", "file holding DB_PASSWORD (one trailing newline stripped); exclusive with DB_PASSWORD"],
  ["DB_NAME", "unset", "PostgreSQL database name; required when any DB_* is set"],
  ["TRUST_PROXY", "off", "believe X-Forwarded-For/-Proto: 1/0, true/false, yes/no, on/off"],
  ["ALLOWED_ORIGINS", "same origin", "extra comma-separated http(s) origins (scheme://host[:port]) for WebSocket and writes"],
  ["ALLOWED_HOSTS", "listen host and loopback", "extra comma-separated host names (name or name:port) that requests may address in their Host header, e.g. the public name behind a proxy; loopback names (localhost, *.localhost), IP addresses and LISTEN_ADDR's host are always allowed, anything else is answered 421"],
  ["RATE_LIMIT_SESSION_OPS", "10/min", "per client IP, session create/stop/restart/delete/input/resize: N/s|m|h (also sec, second, min, minute, hour)"],
  ["RATE_LIMIT_READS", "60/min", "per client IP, GET endpoints: N/s|m|h (also sec, second, min, minute, hour)"],
  ["RATE_LIMIT_UPLOADS", "30/min", "per signed-in user, file uploads into sessions: N/s|m|h (also sec, second, min, minute, hour)"],
  ["BODY_LIMIT", "1mb", "largest POST/PUT/PATCH body (b, kb, mb, gb; 1kb = 1024 bytes); file uploads have UPLOAD_LIMIT instead"],
  ["UPLOAD_LIMIT", "25mb", "largest file one upload into a session streams to disk (1b to 64gb), counted while reading (413, the partial file removed)"],
  ["ARCHIVE_LIMIT", "1gb", "most bytes of file contents one folder download (.tar.gz) of a session's files may hold (1b to 64gb), sized before a byte is sent (413)"],
  ["SCROLLBACK_BYTES", "4mb", "per-session scrollback ring buffer, 4kb to 1gb"],
  ["RECORDING_LIMIT", "16mb", "most bytes of one session's recording (its output with timing, exported as asciicast or text) under DATA_DIR/recordings, 0 or 4kb to 1gb; a recording that reaches it keeps its beginning and says it was truncated; 0 turns recording off"],
  ["SNAPSHOT_SCROLLBACK_LINES", "1000", "lines above the screen that a session's server-side terminal keeps and a snapshot (a reopened or resynced viewer) carries, 0 to 100000"],
  ["MIRROR_GRACE", "60s", "PTY_HOST=auto: how long the server keeps its copy of a session's output after the last viewer leaves (a reconnect within it gets the exact bytes it missed, a later one a snapshot); integer + ms|s|m|h|d, at most 24d"],
  ["SEARCH_INDEX_LIMIT", "8mb", "bytes of a session's output text kept searchable (its newest text; older text is dropped from the index), 0 to 1gb; 0 turns output indexing off"],
  ["SEARCH_INDEX_RATE", "1mb", "bytes of output per second the search indexer reads from all sessions together, in the background (never on the PTY's path), 64kb to 1gb"],
  ["IDLE_AFTER", "30s", "no output for this long marks a session idle: integer + ms|s|m|h|d, at most 24d"],
  ["PTY_BACKEND", "bun", "bun (built-in terminal) or bun-pty"],
  ["RESUME_ON_START", "0", "at start, restart interrupted sessions (of the last 24 h, not yet continued) whose CLI pinned a conversation (Claude Code), resuming it, this many at a time; 0 = off, at most 16"],
  ["PTY_HOST", "auto", "auto: PTYs live in a detached `opendray pty-host` process (started on demand) so sessions survive server restarts; inprocess: PTYs die with the server"],
  ["ADMIN_USERNAME", "unset", "first admin's username, used only while no user exists; needs ADMIN_PASSWORD"],
  ["ADMIN_PASSWORD", "unset", "first admin's password; needs ADMIN_USERNAME"],
  ["ADMIN_PASSWORD_FILE", "unset", "file holding ADMIN_PASSWORD (one trailing newline stripped); exclusive with ADMIN_PASSWORD"],
  ["PUSH_SUBJECT", "mailto:opendray@localhost", "contact the Web Push services are given with every message (VAPID subject): a mailto: or https: URL; set it to yours"],
  ["PUSH_ALLOW_HOSTS", "unset", "comma-separated push service hosts (name or name:port) whose endpoints may resolve to loopback or private addresses (a self-hosted push service); any other such subscription is refused"],
  ["TELEGRAM_BOT_TOKEN", "unset", "a Telegram bot's token (from @BotFather): tells the allowed chats when a session waits or is done, with its options as buttons, and takes /sessions, /tail and replies; unset: no Telegram"],
  ["TELEGRAM_BOT_TOKEN_FILE", "unset", "file holding TELEGRAM_BOT_TOKEN (one trailing newline stripped); exclusive with TELEGRAM_BOT_TOKEN"],
  ["TELEGRAM_CHAT_IDS", "unset", "comma-separated chat ids the bot talks with (required with TELEGRAM_BOT_TOKEN); updates from any other chat are ignored"],
  ["TELEGRAM_API_URL", "https://api.telegram.org", "base URL of the Bot API (a self-hosted Bot API server)"],
  ["LOG_LEVEL", "info", "debug, info, warn or error"],
] as const;

type VariableName = (typeof VARIABLES)[number][0];
type FileBacked =
  | "JWT_SECRET"
  | "DB_PASSWORD"
  | "ADMIN_PASSWORD"
  | "DATABASE_URL"
  | "SECRETS_KEY"
  | "METRICS_TOKEN"
  | "TELEGRAM_BOT_TOKEN";

/** The documented table of environment variables (name, default, description) that README mirrors. */
export function describeConfigVariables(): {
  name: string;
  default: string;
  description: string;
}[] {
  return VARIABLES.map(([name, def, description]) => ({ name, default: def, description }));
}

const UNATTENDED = /^(CI|CONTINUOUS_INTEGRATION|CI_.*)$/;

/**
 * The environment a session's program inherits: the server's own, minus every variable in the
 * table above (secrets such as JWT_SECRET and DB_PASSWORD must never reach a PTY),
 * CREDENTIALS_DIRECTORY (systemd's secret files), and the variables that mark a run as
 * unattended — CI, CONTINUOUS_INTEGRATION and CI_* — since a session is an interactive terminal
 * and CLIs that see them refuse their interactive mode (Gemini CLI exits asking for an API key).
 * A session request's own `env` may still set any of them.
 */
export function inheritableEnvironment(
  env: Record<string, string | undefined>,
): Record<string, string> {
  const own = new Set<string>(VARIABLES.map(([name]) => name));
  own.delete("XDG_DATA_HOME");
  own.add("CREDENTIALS_DIRECTORY");
  // A session's own hook channel (src/attention/hook-channel.ts), never a nested one's.
  own.add("OPENDRAY_HOOK_SOCKET");
  own.add("OPENDRAY_HOOK_TOKEN");
  const inherited: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && !own.has(name) && !UNATTENDED.test(name)) inherited[name] = value;
  }
  return inherited;
}

/** Injected I/O, for tests: `readFile` defaults to UTF-8 `fs.readFileSync`, `homeDir` to `os.homedir()`. */
export interface ConfigDeps {
  readFile?: (path: string) => string;
  homeDir?: string;
}

interface Source {
  env: Record<string, string | undefined>;
  readFile: (path: string) => string;
}

/**
 * Parses `env` into a deeply frozen Config with DESIGN §3 defaults; throws the
 * first ConfigError found. Pure apart from reading `*_FILE` files.
 */
export function loadConfig(env: Record<string, string | undefined>, deps: ConfigDeps = {}): Config {
  const src: Source = { env, readFile: deps.readFile ?? ((path) => readFileSync(path, "utf8")) };
  // Documented defaults are parsed like any value, so the table cannot drift from the code.
  const get = (name: VariableName): string => read(src, name) ?? DEFAULTS[name];
  const dataDir = parseDataDir(src, deps.homeDir ?? homedir());
  return deepFreeze<Config>({
    listen: parseListen(get("LISTEN_ADDR")),
    jwtSecret: readWithFile(src, "JWT_SECRET") ?? null,
    metricsToken: parseMetricsToken(readWithFile(src, "METRICS_TOKEN")),
    secretsKey: readWithFile(src, "SECRETS_KEY") ?? null,
    jwtTtlMs: parseDuration("JWT_TTL", get("JWT_TTL"), Number.MAX_SAFE_INTEGER),
    dataDir,
    database: parseDatabase(src, dataDir),
    trustProxy: parseWith("TRUST_PROXY", get("TRUST_PROXY"), BOOLEAN, BOOLEAN_EXPECTED),
    allowedOrigins: parseOrigins(read(src, "ALLOWED_ORIGINS") ?? ""),
    allowedHosts: parseHosts("ALLOWED_HOSTS", read(src, "ALLOWED_HOSTS") ?? ""),
    rateLimitSessionOps: parseRate("RATE_LIMIT_SESSION_OPS", get("RATE_LIMIT_SESSION_OPS")),
    rateLimitReads: parseRate("RATE_LIMIT_READS", get("RATE_LIMIT_READS")),
    rateLimitUploads: parseRate("RATE_LIMIT_UPLOADS", get("RATE_LIMIT_UPLOADS")),
    bodyLimitBytes: parseSize("BODY_LIMIT", get("BODY_LIMIT"), 1, Number.MAX_SAFE_INTEGER),
    uploadLimitBytes: parseSize("UPLOAD_LIMIT", get("UPLOAD_LIMIT"), 1, 64 * 1024 ** 3),
    archiveLimitBytes: parseSize("ARCHIVE_LIMIT", get("ARCHIVE_LIMIT"), 1, 64 * 1024 ** 3),
    scrollbackBytes: parseSize("SCROLLBACK_BYTES", get("SCROLLBACK_BYTES"), 4 * 1024, 1024 ** 3),
    recordingLimitBytes: parseRecordingLimit(get("RECORDING_LIMIT")),
    snapshotScrollbackLines: parseWith(
      "SNAPSHOT_SCROLLBACK_LINES",
      get("SNAPSHOT_SCROLLBACK_LINES"),
      SNAPSHOT_LINES,
      "an integer from 0 to 100000",
    ),
    mirrorGraceMs: parseDuration("MIRROR_GRACE", get("MIRROR_GRACE"), MAX_TIMER_MS),
    searchIndexLimitBytes: parseSize("SEARCH_INDEX_LIMIT", get("SEARCH_INDEX_LIMIT"), 0, 1024 ** 3),
    searchIndexRateBytes: parseSize(
      "SEARCH_INDEX_RATE",
      get("SEARCH_INDEX_RATE"),
      64 * 1024,
      1024 ** 3,
    ),
    idleAfterMs: parseDuration("IDLE_AFTER", get("IDLE_AFTER"), MAX_TIMER_MS),
    ptyBackend: parseWith("PTY_BACKEND", get("PTY_BACKEND"), PTY_BACKEND, "bun or bun-pty"),
    ptyHost: parseWith("PTY_HOST", get("PTY_HOST"), PTY_HOST, "auto or inprocess"),
    resumeOnStart: parseWith(
      "RESUME_ON_START",
      get("RESUME_ON_START"),
      RESUME_LIMIT,
      "an integer from 0 to 16",
    ),
    admin: parseAdmin(src),
    pushSubject: parsePushSubject(get("PUSH_SUBJECT")),
    pushAllowHosts: parseHosts("PUSH_ALLOW_HOSTS", read(src, "PUSH_ALLOW_HOSTS") ?? ""),
    telegram: parseTelegram(src, get("TELEGRAM_API_URL")),
    logLevel: parseWith("LOG_LEVEL", get("LOG_LEVEL"), LOG_LEVEL, "debug, info, warn or error"),
  });
}

const DEFAULTS = Object.fromEntries(VARIABLES.map(([name, def]) => [name, def])) as Record<
  VariableName,
  string
>;
const BOOLEAN = z.stringbool({
  truthy: ["1", "true", "yes", "on"],
  falsy: ["0", "false", "no", "off"],
  case: "insensitive",
});
const BOOLEAN_EXPECTED = "a boolean (1/0, true/false, yes/no, on/off)";
const PTY_BACKEND = z.enum(["bun", "bun-pty"]);
const PTY_HOST = z.enum(["auto", "inprocess"]);
const RESUME_LIMIT = z
  .string()
  .regex(/^\d{1,2}$/)
  .transform(Number)
  .pipe(z.number().int().min(0).max(16));
const SNAPSHOT_LINES = z
  .string()
  .regex(/^\d{1,6}$/)
  .transform(Number)
  .pipe(z.number().int().min(0).max(100_000));
const LOG_LEVEL = z
  .string()
  .toLowerCase()
  .pipe(z.enum(["debug", "info", "warn", "error"]));
const PORT = z
  .string()
  .regex(/^\d{1,5}$/)
  .transform(Number)
  .pipe(z.number().int().min(0).max(65535));
const MAX_TIMER_MS = 2 ** 31 - 1; // setTimeout fires at once past this (~24.8 days)
const DURATION_UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const RATE_UNIT_MS: Record<string, number> = {
  s: 1000,
  sec: 1000,
  second: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
};
const HOSTNAME =
  /^(?=.{1,253}\.?$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

/** Empty counts as unset. */
function read(src: Source, name: VariableName): string | undefined {
  const value = src.env[name];
  return value === undefined || value === "" ? undefined : value;
}

function readWithFile(src: Source, name: FileBacked): string | undefined {
  const fileVar = `${name}_FILE` as const;
  const direct = read(src, name);
  const path = read(src, fileVar);
  if (path === undefined) return direct;
  if (direct !== undefined) {
    throw new ConfigError(name, `both ${name} and ${fileVar} are set; set only one`);
  }
  let text: string;
  try {
    text = src.readFile(path);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new ConfigError(
      fileVar,
      `cannot read ${show(path)}${typeof code === "string" ? ` (${code})` : ""}`,
    );
  }
  const value = text.replace(/\r?\n$/, "");
  if (value === "") {
    throw new ConfigError(fileVar, `${show(path)} is empty; expected the value of ${name}`);
  }
  return value;
}

/** A scrape token is a password that never changes: long enough not to be guessed. */
function parseMetricsToken(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  if (raw.length < 32 || /\s/.test(raw)) {
    throw new ConfigError("METRICS_TOKEN", "must be at least 32 characters, without spaces");
  }
  return raw;
}

function parseWith<T>(name: VariableName, raw: string, schema: z.ZodType<T>, expected: string): T {
  const result = schema.safeParse(raw);
  if (!result.success) throw new ConfigError(name, `${show(raw)} is not ${expected}`);
  return result.data;
}

function parseListen(raw: string): Config["listen"] {
  const example = "(example: 127.0.0.1:8640 or [::1]:8640)";
  const match = /^(?:\[([^\]]*)\]|([^:[\]]*)):([^:]*)$/.exec(raw);
  if (!match) {
    const why =
      !raw.startsWith("[") && raw.split(":").length > 2
        ? "is not host:port; put an IPv6 host in brackets"
        : "is not host:port";
    throw new ConfigError("LISTEN_ADDR", `${show(raw)} ${why} ${example}`);
  }
  const [, v6, other = "", portText = ""] = match;
  const host = v6 ?? other;
  if (v6 !== undefined ? !isIPv6(v6) : !isHost(host)) {
    throw new ConfigError(
      "LISTEN_ADDR",
      `${show(raw)} has an invalid host ${example}; use 0.0.0.0 or [::] for all interfaces`,
    );
  }
  const port = PORT.safeParse(portText);
  if (!port.success) {
    throw new ConfigError("LISTEN_ADDR", `${show(raw)} has no port in 0–65535 ${example}`);
  }
  return { host, port: port.data, isLoopback: isLoopback(host) };
}

function isHost(host: string): boolean {
  if (/^[\d.]+$/.test(host)) return isIPv4(host);
  return HOSTNAME.test(host);
}

/** 127.0.0.0/8, ::1 (any spelling, or IPv4-mapped 127/8) and localhost; anything else may be reachable. */
function isLoopback(host: string): boolean {
  if (host.toLowerCase() === "localhost") return true;
  if (isIPv4(host)) return host.startsWith("127.");
  if (!isIPv6(host) || host.includes("%")) return false;
  const canonical = new URL(`http://[${host}]`).hostname;
  return canonical === "[::1]" || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(canonical);
}

function parseDuration(name: VariableName, raw: string, maxMs: number): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(raw);
  const ms = match
    ? Number(match[1]) * DURATION_UNIT_MS[match[2] as keyof typeof DURATION_UNIT_MS]
    : Number.NaN;
  if (!(ms > 0)) {
    throw new ConfigError(
      name,
      `${show(raw)} is not a positive duration (integer + ms|s|m|h|d, e.g. 30s)`,
    );
  }
  if (ms > maxMs) throw new ConfigError(name, `${show(raw)} is too long; at most ${maxMs} ms`);
  return ms;
}

function parseRate(name: VariableName, raw: string): RateLimit {
  const match = /^(\d+)\s*\/\s*([a-z]+)$/i.exec(raw);
  const count = Number(match?.[1]);
  const perMs = RATE_UNIT_MS[match?.[2]?.toLowerCase() ?? ""];
  if (perMs === undefined || !Number.isSafeInteger(count) || count < 1) {
    throw new ConfigError(
      name,
      `${show(raw)} is not a rate (positive integer per s|m|h, e.g. 10/min or 5/sec)`,
    );
  }
  return { count, perMs };
}

/** RECORDING_LIMIT: 0 (off), or a size from 4kb to 1gb. */
function parseRecordingLimit(raw: string): number {
  if (/^0+ *(?:b|kb|mb|gb|tb|pb)?$/i.test(raw)) return 0;
  return parseSize("RECORDING_LIMIT", raw, 4 * 1024, 1024 ** 3);
}

function parseSize(name: VariableName, raw: string, min: number, max: number): number {
  const value = /^\d+(?:\.\d+)? *(?:b|kb|mb|gb|tb|pb)?$/i.test(raw) ? bytes.parse(raw) : null;
  if (value === null || !Number.isSafeInteger(value)) {
    throw new ConfigError(name, `${show(raw)} is not a size (number + b|kb|mb|gb, e.g. 1mb)`);
  }
  if (value < min || value > max) {
    throw new ConfigError(
      name,
      `${show(raw)} is ${value} bytes; expected ${bytes.format(min)} to ${bytes.format(max)}`,
    );
  }
  return value;
}

function parseDataDir(src: Source, homeDir: string): string {
  const raw = read(src, "DATA_DIR");
  if (raw !== undefined) {
    if (!isAbsolute(raw)) throw new ConfigError("DATA_DIR", `${show(raw)} is not an absolute path`);
    return resolve(raw);
  }
  // XDG Base Directory spec: a relative XDG_DATA_HOME is invalid and ignored.
  const xdg = read(src, "XDG_DATA_HOME");
  if (xdg !== undefined && isAbsolute(xdg)) return join(resolve(xdg), "opendray");
  if (!isAbsolute(homeDir)) {
    throw new ConfigError(
      "DATA_DIR",
      "is unset and there is no home directory to default to; set an absolute path",
    );
  }
  return join(homeDir, ".local", "share", "opendray");
}

function parseDatabase(src: Source, dataDir: string): Config["database"] {
  const url = readWithFile(src, "DATABASE_URL");
  const password = readWithFile(src, "DB_PASSWORD");
  const host = read(src, "DB_HOST");
  const port = read(src, "DB_PORT");
  const user = read(src, "DB_USER");
  const name = read(src, "DB_NAME");
  const given = (
    [
      ["DB_HOST", host],
      ["DB_PORT", port],
      ["DB_USER", user],
      ["DB_PASSWORD", password],
      ["DB_NAME", name],
    ] as const
  ).find(([, value]) => value !== undefined)?.[0];
  if (url !== undefined) {
    if (given) {
      throw new ConfigError(given, "cannot be combined with DATABASE_URL; set one or the other");
    }
    return { kind: "postgres", url: checkPostgresUrl(url) };
  }
  if (!given) return { kind: "pglite", dataDir: join(dataDir, "pgdata") };
  const required = (variable: VariableName, value: string | undefined): string => {
    if (value === undefined) {
      throw new ConfigError(variable, `is required when ${given} is set (or set DATABASE_URL)`);
    }
    return value;
  };
  const bareHost = required("DB_HOST", host).replace(/^\[(.*)\]$/, "$1");
  if (!isIPv6(bareHost) && !isHost(bareHost)) {
    throw new ConfigError(
      "DB_HOST",
      `${show(bareHost)} is not a host name or IP address (use DATABASE_URL for other forms)`,
    );
  }
  const portNumber =
    port === undefined
      ? 5432
      : parseWith("DB_PORT", port, PORT.pipe(z.number().min(1)), "a port in 1–65535");
  const auth =
    encodeURIComponent(required("DB_USER", user)) +
    (password === undefined ? "" : `:${encodeURIComponent(password)}`);
  const hostPart = isIPv6(bareHost) ? `[${bareHost}]` : bareHost;
  return {
    kind: "postgres",
    url: `postgres://${auth}@${hostPart}:${portNumber}/${encodeURIComponent(required("DB_NAME", name))}`,
  };
}

/** The URL may hold a password, so the message never quotes it. */
function checkPostgresUrl(url: string): string {
  const parsed = URL.parse(url);
  if (/\s/.test(url) || (parsed?.protocol !== "postgres:" && parsed?.protocol !== "postgresql:")) {
    throw new ConfigError(
      "DATABASE_URL",
      "is not a postgres:// or postgresql:// URL (value not shown: it may hold a password)",
    );
  }
  return url;
}

function parseOrigins(raw: string): string[] {
  const origins = new Set<string>();
  for (const item of raw.split(",").map((part) => part.trim())) {
    if (item === "") continue;
    const url = /^https?:\/\/[^/?#@\s]+\/?$/i.test(item) ? URL.parse(item) : null;
    if (!url) {
      throw new ConfigError(
        "ALLOWED_ORIGINS",
        `${show(item)} is not an http(s) origin (scheme://host[:port], no path)`,
      );
    }
    origins.add(url.origin);
  }
  return [...origins];
}

function parseTelegram(src: Source, apiUrl: string): Config["telegram"] {
  const token = readWithFile(src, "TELEGRAM_BOT_TOKEN");
  const chats = read(src, "TELEGRAM_CHAT_IDS");
  if (token === undefined) {
    if (chats !== undefined) {
      throw new ConfigError("TELEGRAM_CHAT_IDS", "is set but TELEGRAM_BOT_TOKEN is not");
    }
    return null;
  }
  if (!/^\d{1,20}:[A-Za-z0-9_-]{20,}$/.test(token)) {
    throw new ConfigError(
      "TELEGRAM_BOT_TOKEN",
      "is not a bot token (<bot id>:<secret>, from @BotFather)",
    );
  }
  const chatIds = (chats ?? "")
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);
  if (chatIds.length === 0) {
    throw new ConfigError("TELEGRAM_CHAT_IDS", "is required with TELEGRAM_BOT_TOKEN");
  }
  for (const id of chatIds) {
    if (!/^-?\d{1,20}$/.test(id))
      throw new ConfigError("TELEGRAM_CHAT_IDS", `${show(id)} is not a chat id`);
  }
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    throw new ConfigError("TELEGRAM_API_URL", `${show(apiUrl)} is not a URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigError("TELEGRAM_API_URL", "must be an http(s) URL");
  }
  return { token, chatIds: chatIds.map(Number), apiUrl: apiUrl.replace(/\/+$/, "") };
}

function parsePushSubject(raw: string): string {
  const value = raw.trim();
  if (/^mailto:[^@\s]+@[^@\s]+$/.test(value) || /^https:\/\/[^\s]+$/.test(value)) return value;
  throw new ConfigError(
    "PUSH_SUBJECT",
    `${show(value)} is not a mailto: address or an https: URL (e.g. mailto:you@example.com)`,
  );
}

function parseHosts(variable: VariableName, raw: string): string[] {
  const hosts = new Set<string>();
  for (const item of raw.split(",").map((part) => part.trim())) {
    if (item === "") continue;
    const match = /^(\[[^\]]*\]|[^:[\]]*)(?::(\d{1,5}))?$/.exec(item);
    const name = match?.[1]?.toLowerCase().replace(/\.$/, "") ?? "";
    const port = match?.[2] === undefined ? undefined : Number(match[2]);
    const valid = name.startsWith("[") ? isIPv6(name.slice(1, -1)) : isHost(name);
    if (!valid || (port !== undefined && (port < 1 || port > 65535))) {
      throw new ConfigError(
        variable,
        `${show(item)} is not a host name with an optional port (name or name:port, e.g. dray.example.com; no scheme or path)`,
      );
    }
    hosts.add(port === undefined ? name : `${name}:${port}`);
  }
  return [...hosts];
}

function parseAdmin(src: Source): Config["admin"] {
  const username = read(src, "ADMIN_USERNAME");
  const password = readWithFile(src, "ADMIN_PASSWORD");
  if (username === undefined && password === undefined) return null;
  if (username === undefined) {
    throw new ConfigError("ADMIN_USERNAME", "is required when ADMIN_PASSWORD is set");
  }
  if (password === undefined) {
    throw new ConfigError(
      "ADMIN_PASSWORD",
      "is required when ADMIN_USERNAME is set (or use ADMIN_PASSWORD_FILE)",
    );
  }
  const problem = usernameProblem(canonicalUsername(username));
  if (problem) throw new ConfigError("ADMIN_USERNAME", `is not a valid username: ${problem}`);
  return { username, password };
}

/** Quotes a (non-secret) value for a message, shortened so the line stays readable. */
function show(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}…` : value);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
