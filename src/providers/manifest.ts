// Provider manifests: the zod schema of the JSON that describes how to launch a CLI, its parser
// with one-line errors naming the file and field, and the start-up loader that lets operator
// files in DATA_DIR/providers/ override or extend the built-ins without ever being fatal.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type core, z } from "zod";

/** The `executable` that stands for the user's login shell, resolved at launch from $SHELL. */
export const LOGIN_SHELL = "$SHELL";

export const ID = /^[a-z][a-z0-9-]{0,31}$/;
const FLAG = /^--?[A-Za-z0-9][A-Za-z0-9._:-]*$/;
const SUBCOMMAND = /^[a-z][a-z0-9-]*$/;
const KEY = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const COMMAND_NAME = /^[A-Za-z0-9_][A-Za-z0-9._+-]*$/;

/** An argv entry: any text but NUL, which cannot cross execve. */
const arg = z.string().refine((value) => !value.includes("\0"), { error: "must not contain NUL" });
const flag = z.string().regex(FLAG, { error: "must be a flag such as -x or --name-of-flag" });
/** `--flag value` (two argv entries, the default) or `--flag=value` (one). */
const style = z.enum(["separate", "equals"]).optional();
const envName = z.string().regex(ENV_NAME, { error: "must be an environment variable name" });
const text = (max: number) => z.string().trim().min(1, { error: "must not be empty" }).max(max);

const executable = z
  .string()
  .refine(
    (value) =>
      value === LOGIN_SHELL ||
      (value.startsWith("/") && !value.includes("\0")) ||
      COMMAND_NAME.test(value),
    { error: `must be "${LOGIN_SHELL}", an absolute path, or a command name looked up on PATH` },
  );

const fieldBase = {
  key: z.string().regex(KEY, { error: "must be a letter then up to 63 letters, digits or _" }),
  label: text(80),
  description: z.string().max(500).optional(),
  flag: flag.optional(),
  env: envName.optional(),
  style,
};

const fieldSchema = z.discriminatedUnion(
  "type",
  [
    z.strictObject({ ...fieldBase, type: z.literal("string"), default: arg.optional() }),
    z.strictObject({
      ...fieldBase,
      type: z.literal("number"),
      default: z.number().optional(),
      min: z.number().optional(),
      max: z.number().optional(),
      integer: z.boolean().optional(),
    }),
    z.strictObject({ ...fieldBase, type: z.literal("boolean"), default: z.boolean().optional() }),
    z.strictObject({
      ...fieldBase,
      type: z.literal("select"),
      options: z
        .array(arg.min(1, { error: "must not be empty" }))
        .min(1, { error: "must list at least one option" }),
      default: z.string().optional(),
    }),
    z.strictObject({ ...fieldBase, type: z.literal("secret") }),
    z.strictObject({ ...fieldBase, type: z.literal("args"), default: z.array(arg).optional() }),
  ],
  { error: "must be one of string, number, boolean, select, secret, args" },
);

/** A typed setting of a provider, mapped to a CLI flag or an environment variable. */
export type ConfigField = z.output<typeof fieldSchema>;

const resumeSchema = z.strictObject({
  /** Argv that continues the last conversation in the session's cwd (`--continue`). */
  lastInCwd: z.array(arg).min(1, { error: "must not be empty" }).optional(),
  /** Flag that makes a new conversation use a given id (`--session-id <uuid>`). */
  pinSession: z.strictObject({ flag, style }).optional(),
  /** Flag, or subcommand, that resumes a conversation by id (`--resume <uuid>`, `resume <id>`). */
  resumeSession: z
    .strictObject({
      flag: z.string().refine((value) => FLAG.test(value) || SUBCOMMAND.test(value), {
        error: "must be a flag such as --resume or a subcommand such as resume",
      }),
      style,
    })
    .optional(),
});

/** A regular expression, compiled once to check it (Unicode mode, as it is used). */
const pattern = z
  .string()
  .min(1, { error: "must not be empty" })
  .max(500)
  .refine(
    (source) => {
      try {
        new RegExp(source, "u");
        return true;
      } catch {
        return false;
      }
    },
    { error: "must be a valid regular expression" },
  );

/**
 * A question a program draws and waits on, found on the screen: a line matching `question`
 * among the last `within` lines up to the cursor's, then its options, either fixed (`options`,
 * each with the keys that answer it) or read from the lines below the question that match
 * `option` (named groups `key` and `label`; the answer types `keys` with `{key}` replaced).
 */
const promptSchema = z
  .strictObject({
    question: pattern,
    options: z
      .array(z.strictObject({ label: text(80), keys: arg.min(1, { error: "must not be empty" }) }))
      .max(9)
      .optional(),
    option: pattern.optional(),
    keys: arg.min(1).default("{key}"),
    within: z.number().int().min(1).max(50).default(12),
  })
  .refine((prompt) => (prompt.options === undefined) !== (prompt.option === undefined), {
    error: "set exactly one of options or option",
    path: ["options"],
  })
  .refine(
    (prompt) =>
      prompt.option === undefined ||
      (prompt.option.includes("(?<key>") && prompt.option.includes("(?<label>")),
    { error: "must have the named groups key and label", path: ["option"] },
  );

/**
 * How to tell what the CLI is doing (see src/attention/): the hooks it can be given per session
 * (`claude-code`: `--settings` with command hooks; `codex-notify`: `-c notify=[…]`;
 * `opencode-plugin`: a plugin given in OPENCODE_CONFIG_CONTENT), and the prompts it draws.
 */
const attentionSchema = z.strictObject({
  hooks: z.enum(["claude-code", "codex-notify", "opencode-plugin"]).optional(),
  prompts: z.array(promptSchema).max(20).default([]),
});

const manifestSchema = z
  .strictObject({
    $schema: z.string().optional(),
    id: z.string().regex(ID, {
      error: "must be a lowercase letter then up to 31 lowercase letters, digits or -",
    }),
    name: text(80),
    description: z.string().max(500).default(""),
    icon: z.string().max(8192).optional(),
    executable,
    args: z.array(arg).default([]),
    env: z.record(envName, arg).default({}),
    install: z.strictObject({ npm: text(214).optional(), hint: text(500).optional() }).optional(),
    capabilities: z
      .strictObject({
        resume: z.boolean().optional(),
        images: z.boolean().default(false),
        mcp: z.boolean().default(false),
      })
      .default({ images: false, mcp: false }),
    bypass: flag.optional(),
    resume: resumeSchema.optional(),
    model: z.strictObject({ flag, style }).optional(),
    fields: z.array(fieldSchema).default([]),
    attention: attentionSchema.default({ prompts: [] }),
  })
  .superRefine((manifest, ctx) => {
    const seen = new Set<string>();
    manifest.fields.forEach((field, index) => {
      const at = (...path: PropertyKey[]) => ["fields", index, ...path];
      const problem = fieldProblem(field);
      if (problem) ctx.addIssue({ code: "custom", path: at(problem[0]), message: problem[1] });
      if (seen.has(field.key)) {
        ctx.addIssue({ code: "custom", path: at("key"), message: `"${field.key}" is used twice` });
      }
      seen.add(field.key);
    });
    if (manifest.capabilities.resume && !manifest.resume) {
      ctx.addIssue({
        code: "custom",
        path: ["capabilities", "resume"],
        message: "is true but the manifest has no resume block",
      });
    }
  })
  .transform(({ $schema: _, capabilities, ...manifest }) => ({
    ...manifest,
    capabilities: { ...capabilities, resume: capabilities.resume ?? manifest.resume !== undefined },
  }));

/** A prompt pattern of a manifest's `attention` section. */
export type PromptPattern = z.output<typeof promptSchema>;
/** A manifest's `attention` section. */
export type Attention = z.output<typeof attentionSchema>;
/** The hooks a CLI can be given per session. */
export type HookKind = NonNullable<z.output<typeof attentionSchema>["hooks"]>;

/** A validated provider manifest: how to find, launch, resume and configure one CLI. */
export type ProviderManifest = z.output<typeof manifestSchema>;

/** The mapping rules a field's type alone cannot express; `[key, problem]` or undefined. */
function fieldProblem(field: ConfigField): [string, string] | undefined {
  if (field.type === "secret") {
    // Secrets reach the child only through its environment: argv is visible in `ps`.
    if (field.flag !== undefined) return ["flag", "a secret cannot be a flag; use env"];
    if (field.env === undefined) return ["env", "is required for a secret"];
  } else if (field.type === "args") {
    if (field.env !== undefined) return ["env", "an args field is argv; use flag or neither"];
  } else if ((field.flag === undefined) === (field.env === undefined)) {
    return [field.flag === undefined ? "flag" : "env", "set exactly one of flag or env"];
  }
  if (field.style !== undefined && field.flag === undefined) {
    return ["style", "applies only to a flag"];
  }
  if (field.type === "select" && field.default !== undefined) {
    if (!field.options.includes(field.default)) return ["default", "is not one of the options"];
  }
  if (field.type === "number") {
    if (field.min !== undefined && field.max !== undefined && field.min > field.max) {
      return ["min", "is greater than max"];
    }
    const { default: value, min, max, integer } = field;
    if (
      value !== undefined &&
      ((min !== undefined && value < min) ||
        (max !== undefined && value > max) ||
        (integer && !Number.isInteger(value)))
    ) {
      return ["default", "is outside the field's own bounds"];
    }
  }
  return undefined;
}

/** A manifest that failed validation; `message` is one line, `<source>: <field path>: <problem>`. */
export class ManifestError extends Error {
  constructor(
    readonly source: string,
    readonly problems: { path: string; problem: string }[],
  ) {
    const shown = problems.slice(0, 5).map(({ path, problem }) => `${path}: ${problem}`);
    const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : "";
    super(`${source}: ${shown.join("; ")}${more}`.replace(/\s*[\r\n]+\s*/g, " "));
    this.name = "ManifestError";
  }
}

/**
 * Validates parsed JSON as a manifest and returns it deeply frozen, with defaults filled in
 * (`args: []`, `env: {}`, `fields: []`, capabilities false, `capabilities.resume` true when a
 * resume block exists). `source` names the file in errors. Throws ManifestError.
 */
export function parseManifest(json: unknown, source: string): ProviderManifest {
  const result = manifestSchema.safeParse(json, { reportInput: true });
  if (!result.success) throw new ManifestError(source, result.error.issues.flatMap(describeIssue));
  return deepFreeze(result.data);
}

function describeIssue(issue: core.$ZodIssue): { path: string; problem: string }[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => ({
      path: formatPath([...issue.path, key]),
      problem: "unknown key",
    }));
  }
  let problem = issue.message;
  if (issue.code === "invalid_key") {
    problem = `key ${issue.issues[0]?.message ?? "is invalid"}`;
  } else if (issue.code === "invalid_type") {
    problem = issue.input === undefined ? "is required" : `must be ${article(issue.expected)}`;
  }
  return [{ path: formatPath(issue.path), problem }];
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/** `fields[2].options`; the document itself is `(root)`. */
function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(root)";
  return path
    .map((part, index) =>
      typeof part === "number" ? `[${part}]` : index === 0 ? String(part) : `.${String(part)}`,
    )
    .join("");
}

export interface LoadManifestsOptions {
  /** The compiled-in manifests, in display order. */
  builtins: readonly ProviderManifest[];
  /** The operator's directory, usually `DATA_DIR/providers`; missing means none. */
  dir: string;
  /** Names in `dir`; default `fs.readdirSync`. */
  readDir?: (dir: string) => string[];
  /** A file's text; default UTF-8 `fs.readFileSync`. */
  readFile?: (path: string) => string;
}

/**
 * The built-ins overridden (by id, whole manifest) or extended by every `*.json` in `dir`, read
 * once at start-up in name order. A file that cannot be read, is not JSON or fails the schema,
 * and every file of an id declared by more than one file, is skipped with one line in `errors`.
 */
export function loadManifests(options: LoadManifestsOptions): {
  manifests: Map<string, ProviderManifest>;
  errors: string[];
} {
  const readDir = options.readDir ?? ((dir: string) => readdirSync(dir));
  const readFile = options.readFile ?? ((path: string) => readFileSync(path, "utf8"));
  const manifests = new Map(options.builtins.map((manifest) => [manifest.id, manifest]));
  const errors: string[] = [];

  let names: string[];
  try {
    names = readDir(options.dir);
  } catch (error) {
    if (errorCode(error) !== "ENOENT")
      errors.push(`${options.dir}: cannot list${codeSuffix(error)}`);
    return { manifests, errors };
  }

  const byId = new Map<string, { path: string; manifest: ProviderManifest }[]>();
  for (const name of names.filter((n) => n.endsWith(".json") && !n.startsWith(".")).sort()) {
    const path = join(options.dir, name);
    const manifest = readManifestFile(path, readFile, errors);
    if (manifest) byId.set(manifest.id, [...(byId.get(manifest.id) ?? []), { path, manifest }]);
  }
  for (const [id, files] of byId) {
    const [only] = files;
    if (only && files.length === 1) {
      manifests.set(id, only.manifest);
      continue;
    }
    for (const { path } of files) {
      const others = files.filter((file) => file.path !== path).map((file) => file.path);
      errors.push(`${path}: id: "${id}" is also declared by ${others.join(", ")}; all skipped`);
    }
  }
  return { manifests, errors };
}

function readManifestFile(
  path: string,
  readFile: (path: string) => string,
  errors: string[],
): ProviderManifest | undefined {
  let textContent: string;
  try {
    textContent = readFile(path);
  } catch (error) {
    errors.push(`${path}: cannot read${codeSuffix(error)}`);
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(textContent);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    errors.push(`${path}: (root): not valid JSON (${detail})`.replace(/\s*[\r\n]+\s*/g, " "));
    return undefined;
  }
  try {
    return parseManifest(json, path);
  } catch (error) {
    if (!(error instanceof ManifestError)) throw error;
    errors.push(error.message);
    return undefined;
  }
}

function errorCode(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

function codeSuffix(error: unknown): string {
  const code = errorCode(error);
  return typeof code === "string" ? ` (${code})` : "";
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
