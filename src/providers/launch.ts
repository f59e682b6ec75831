// From a manifest and one spawn request to the exact file, argv and environment of the child:
// never a command line for a shell to split, so every value stays one argv entry as given.

import { badRequest } from "../errors.ts";
import { type ConfigField, LOGIN_SHELL, type ProviderManifest } from "./manifest.ts";

/** Continue the last conversation in the cwd, or pin a new one to / resume one by an id. */
export type ResumeRequest = "last" | { sessionId: string; mode: "pin" | "resume" };

export interface LaunchRequest {
  /** Absolute path of the user's login shell; the file for a `"$SHELL"` manifest. */
  shell: string;
  /** The executable as found on PATH by detection; default the manifest's `executable`. */
  executable?: string;
  /** The session's own extra args, placed after everything but the bypass flag. */
  args?: readonly string[];
  /** Add the manifest's bypass flag; ignored when the manifest has none. */
  bypass?: boolean;
  /** Passed with the manifest's model flag. */
  model?: string;
  resume?: ResumeRequest;
  /** Non-secret field values by key; null or undefined means the field's default. */
  config?: Record<string, unknown>;
  /** Secret field values by key (decrypted); reach the child only through its environment. */
  secrets?: Record<string, string>;
  /** Environment variables asked for by the spawn request. */
  requestEnv?: Record<string, string>;
  /** The inherited environment, already stripped of OpenDray's own variables. */
  baseEnv?: Record<string, string>;
}

/** What to execute: `file` with `args` (argv after argv[0]) and the whole environment `env`. */
export interface Launch {
  file: string;
  args: string[];
  env: Record<string, string>;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Ids a CLI accepts for its conversations: UUIDs, `ses_…`; never something that reads as a flag. */
const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

type Value = string | number | boolean | string[];
type Style = "separate" | "equals" | undefined;

/**
 * The launch of `manifest` for `request`. Argv order: manifest args, config flags (field order;
 * true booleans as bare flags, other values as `flag value`, or `flag=value` for
 * `"style":"equals"`), model flag, resume args, session args, bypass flag. A bare flag already in
 * argv or the session args is not repeated; a config, model or resume flag the session args set
 * themselves (`--flag` or `--flag=…`) is dropped, so the session's value wins.
 *
 * Environment, later wins: baseEnv < manifest env < env-mapped config (booleans: true → "1",
 * false → removed) < secrets < requestEnv; then TERM=xterm-256color, COLORTERM=truecolor, and
 * LANG=C.UTF-8 when none of LANG, LC_ALL, LC_CTYPE is set.
 *
 * Throws AppError 400: `config_invalid` (unknown key, wrong type, secret in config),
 * `env_invalid`, `model_invalid`, `resume_invalid`.
 */
export function buildLaunch(manifest: ProviderManifest, request: LaunchRequest): Launch {
  const sessionArgs = [...(request.args ?? [])];
  const values = resolveConfig(manifest, request.config ?? {}, request.secrets ?? {});
  const argv = [...manifest.args];

  const setBySession = (name: string) =>
    sessionArgs.some((entry) => entry === name || entry.startsWith(`${name}=`));
  const addBare = (name: string) => {
    if (!argv.includes(name) && !setBySession(name)) argv.push(name);
  };
  const addPair = (name: string, value: string, pairStyle: Style) => {
    if (!setBySession(name)) argv.push(...pair(name, value, pairStyle));
  };

  for (const field of manifest.fields) {
    const value = values.get(field.key);
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      // A list is additive: a repeatable flag before each entry, or the entries themselves.
      for (const entry of value) {
        argv.push(...(field.flag === undefined ? [entry] : pair(field.flag, entry, field.style)));
      }
    } else if (field.flag !== undefined && typeof value === "boolean") {
      if (value) addBare(field.flag);
    } else if (field.flag !== undefined) {
      addPair(field.flag, String(value), field.style);
    }
  }

  if (request.model !== undefined) {
    if (!manifest.model) {
      throw badRequest("model_invalid", `provider "${manifest.id}" has no model flag`);
    }
    checkValue("model_invalid", "model", request.model, manifest.model.style !== "equals");
    addPair(manifest.model.flag, request.model, manifest.model.style);
  }

  const resume = request.resume;
  if (resume === "last") {
    const lastArgs = manifest.resume?.lastInCwd;
    if (!lastArgs) {
      throw badRequest(
        "resume_invalid",
        `provider "${manifest.id}" cannot continue a conversation`,
      );
    }
    // Only flags decide: a session arg equal to a plain word such as "latest" may be a prompt.
    if (!lastArgs.some((entry) => entry.startsWith("-") && setBySession(entry))) {
      argv.push(...lastArgs);
    }
  } else if (resume !== undefined) {
    const how =
      resume.mode === "pin" ? manifest.resume?.pinSession : manifest.resume?.resumeSession;
    if (!how) {
      const what = resume.mode === "pin" ? "pin a conversation id" : "resume a conversation by id";
      throw badRequest("resume_invalid", `provider "${manifest.id}" cannot ${what}`);
    }
    if (!SESSION_ID.test(resume.sessionId)) {
      throw badRequest("resume_invalid", "sessionId must be letters, digits and . _ : - only");
    }
    addPair(how.flag, resume.sessionId, how.style);
  }

  argv.push(...sessionArgs);
  if (request.bypass && manifest.bypass) addBare(manifest.bypass);

  const executable =
    manifest.executable === LOGIN_SHELL
      ? request.shell
      : (request.executable ?? manifest.executable);
  return {
    file: executable,
    args: argv,
    env: buildEnv(manifest, values, request),
  };
}

function pair(name: string, value: string, pairStyle: Style): string[] {
  return pairStyle === "equals" ? [`${name}=${value}`] : [name, value];
}

function buildEnv(
  manifest: ProviderManifest,
  values: Map<string, Value>,
  request: LaunchRequest,
): Record<string, string> {
  const env: Record<string, string> = { ...request.baseEnv, ...manifest.env };
  for (const field of manifest.fields) {
    const value = values.get(field.key);
    if (value === undefined || field.env === undefined || field.type === "secret") continue;
    if (value === false) delete env[field.env];
    else env[field.env] = value === true ? "1" : String(value);
  }
  for (const field of manifest.fields) {
    const value = values.get(field.key);
    if (field.type === "secret" && field.env !== undefined && typeof value === "string") {
      env[field.env] = value;
    }
  }
  for (const [name, value] of Object.entries(request.requestEnv ?? {})) {
    if (!ENV_NAME.test(name) || typeof value !== "string" || value.includes("\0")) {
      throw badRequest("env_invalid", `environment variable ${JSON.stringify(name)} is invalid`);
    }
    env[name] = value;
  }
  if (!env.LANG && !env.LC_ALL && !env.LC_CTYPE) env.LANG = "C.UTF-8";
  env.TERM = "xterm-256color";
  env.COLORTERM = "truecolor";
  return env;
}

/** Each field's effective value (given, else its default), checked; secrets included. */
function resolveConfig(
  manifest: ProviderManifest,
  config: Record<string, unknown>,
  secrets: Record<string, string>,
): Map<string, Value> {
  const fields = new Map(manifest.fields.map((field) => [field.key, field]));
  for (const key of Object.keys(config)) {
    const field = fields.get(key);
    if (!field) throw configInvalid(key, `is not a setting of provider "${manifest.id}"`);
    if (field.type === "secret") throw configInvalid(key, "is a secret; it is not set in config");
  }
  for (const key of Object.keys(secrets)) {
    if (fields.get(key)?.type !== "secret") {
      throw badRequest(
        "config_invalid",
        `secrets.${key} is not a secret of provider "${manifest.id}"`,
      );
    }
  }
  const values = new Map<string, Value>();
  for (const field of manifest.fields) {
    const given = field.type === "secret" ? secrets[field.key] : config[field.key];
    const value = given ?? (field.type === "secret" ? undefined : field.default);
    if (value === undefined) continue;
    const checked = checkField(field, value);
    if (checked !== undefined) values.set(field.key, checked);
  }
  return values;
}

/** The value as the field's type, or undefined for an empty string (unset); throws when wrong. */
function checkField(field: ConfigField, value: unknown): Value | undefined {
  const fail = (problem: string) =>
    badRequest("config_invalid", `${where(field)}.${field.key} ${problem}`);
  switch (field.type) {
    case "string":
    case "secret":
      if (typeof value !== "string") throw fail("must be a string");
      if (value === "") return undefined;
      checkValue(
        "config_invalid",
        `${where(field)}.${field.key}`,
        value,
        field.flag !== undefined && field.style !== "equals",
      );
      return value;
    case "select":
      if (typeof value !== "string" || !field.options.includes(value)) {
        throw fail(`must be one of ${field.options.join(", ")}`);
      }
      return value;
    case "number":
      if (typeof value !== "number" || !Number.isFinite(value)) throw fail("must be a number");
      if (field.integer && !Number.isInteger(value)) throw fail("must be an integer");
      if (field.min !== undefined && value < field.min) throw fail(`must be ≥ ${field.min}`);
      if (field.max !== undefined && value > field.max) throw fail(`must be ≤ ${field.max}`);
      return value;
    case "boolean":
      if (typeof value !== "boolean") throw fail("must be true or false");
      return value;
    case "args":
      if (!Array.isArray(value) || !value.every((entry) => typeof entry === "string")) {
        throw fail("must be a list of strings");
      }
      if (value.some((entry) => entry.includes("\0"))) throw fail("must not contain NUL");
      return [...value];
  }
}

/**
 * A value given as the argv entry after its flag must not itself read as a flag: `--model --yolo`
 * would turn a parser like yargs' into a bypass. `--flag=value` is one entry and safe.
 */
function checkValue(code: string, name: string, value: string, followsFlag: boolean): void {
  if (value.includes("\0")) throw badRequest(code, `${name} must not contain NUL`);
  if (followsFlag && value.startsWith("-")) {
    throw badRequest(code, `${name} must not start with "-"`);
  }
}

function where(field: ConfigField): "config" | "secrets" {
  return field.type === "secret" ? "secrets" : "config";
}

function configInvalid(key: string, problem: string) {
  return badRequest("config_invalid", `config.${key} ${problem}`);
}
