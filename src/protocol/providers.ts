// Resources of GET /providers as the API sends them: schemas (zod/mini) and the types inferred
// from them, shared with web/.

import * as z from "zod/mini";

/** One setting of a provider's manifest, as forms need it. */
export const providerFieldInfoSchema = z.object({
  key: z.string(),
  label: z.string(),
  type: z.enum(["string", "number", "boolean", "select", "secret", "args"]),
  description: z.optional(z.string()),
  options: z.optional(z.array(z.string())),
  default: z.optional(z.unknown()),
});
export type ProviderFieldInfo = z.infer<typeof providerFieldInfoSchema>;

/** What GET /providers shows of one provider. */
export const providerInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  icon: z.nullable(z.string()),
  /** The executable as the manifest names it (or the login shell's path). */
  command: z.string(),
  available: z.boolean(),
  /** Resolved absolute path when available. */
  path: z.nullable(z.string()),
  version: z.nullable(z.string()),
  enabled: z.boolean(),
  /** How to install it when it is missing, e.g. "npm install -g @openai/codex". */
  installHint: z.nullable(z.string()),
  capabilities: z.object({ resume: z.boolean(), images: z.boolean(), mcp: z.boolean() }),
  /** Whether the CLI has a permissions-bypass flag the UI can offer. */
  bypass: z.boolean(),
  checkedAt: z.string(),
  error: z.nullable(z.string()),
  /** Args every session of this provider starts with (before the session's own). */
  defaultArgs: z.array(z.string()),
  /** Configured values of the manifest's non-secret fields. */
  config: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.string())])),
  /** Names of the secret fields that have a value; values are never returned. */
  secretsSet: z.array(z.string()),
  /** The manifest's settings, for forms: key, label, type, options, default. */
  fields: z.array(providerFieldInfoSchema),
});
export type ProviderInfo = z.infer<typeof providerInfoSchema>;
