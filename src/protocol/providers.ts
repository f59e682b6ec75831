// Resources of GET /providers as the API sends them. Pure types, shared with web/.

/** One setting of a provider's manifest, as forms need it. */
export interface ProviderFieldInfo {
  key: string;
  label: string;
  type: "string" | "number" | "boolean" | "select" | "secret" | "args";
  description?: string | undefined;
  options?: string[] | undefined;
  default?: unknown;
}

/** What GET /providers shows of one provider. */
export interface ProviderInfo {
  id: string;
  name: string;
  description: string;
  icon: string | null;
  /** The executable as the manifest names it (or the login shell's path). */
  command: string;
  available: boolean;
  /** Resolved absolute path when available. */
  path: string | null;
  version: string | null;
  enabled: boolean;
  /** How to install it when it is missing, e.g. "npm install -g @openai/codex". */
  installHint: string | null;
  capabilities: { resume: boolean; images: boolean; mcp: boolean };
  /** Whether the CLI has a permissions-bypass flag the UI can offer. */
  bypass: boolean;
  checkedAt: string;
  error: string | null;
  /** Args every session of this provider starts with (before the session's own). */
  defaultArgs: string[];
  /** Configured values of the manifest's non-secret fields. */
  config: Record<string, string | number | boolean | string[]>;
  /** Names of the secret fields that have a value; values are never returned. */
  secretsSet: string[];
  /** The manifest's settings, for forms: key, label, type, options, default. */
  fields: ProviderFieldInfo[];
}
