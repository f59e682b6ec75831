// The provider catalog: built-in and operator manifests, each with its executable's detection
// (found on PATH, version), and the launch of a session from a manifest.

import { join } from "node:path";
import { AppError, badRequest } from "../errors.ts";
import { BUILTIN_MANIFESTS } from "./builtin.ts";
import { createDetector, type Detection, type Detector } from "./detect.ts";
import { buildLaunch, type Launch } from "./launch.ts";
import { LOGIN_SHELL, loadManifests, type ProviderManifest } from "./manifest.ts";

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
}

export interface LaunchOptions {
  provider: string;
  args: readonly string[];
  bypass?: boolean | undefined;
  env?: Record<string, string> | undefined;
}

export interface ProviderCatalog {
  list(): Promise<ProviderInfo[]>;
  /** Undefined for an unknown id. */
  get(id: string): Promise<ProviderInfo | undefined>;
  /** Probe again now (after installing a CLI). */
  refresh(id: string): Promise<ProviderInfo | undefined>;
  /** The process for a new session: 400 unknown_provider, 503 provider_unavailable. */
  launch(options: LaunchOptions): Promise<Launch>;
  /** One line per operator manifest that was skipped at start-up. */
  readonly errors: readonly string[];
}

export interface CatalogOptions {
  /** Absolute path of the user's login shell (the `shell` provider). */
  shell: string;
  /** Operator manifests: every DATA_DIR/providers/*.json. */
  dataDir: string;
  /** Environment sessions inherit (PATH is where executables are looked up). */
  baseEnv: Record<string, string>;
  detector?: Detector;
}

export function createProviderCatalog(options: CatalogOptions): ProviderCatalog {
  const { manifests, errors } = loadManifests({
    builtins: BUILTIN_MANIFESTS,
    dir: join(options.dataDir, "providers"),
  });
  const detector =
    options.detector ??
    createDetector({ path: options.baseEnv.PATH ?? "/usr/bin:/bin", env: options.baseEnv });
  const executableOf = (manifest: ProviderManifest) =>
    manifest.executable === LOGIN_SHELL ? options.shell : manifest.executable;

  const info = (manifest: ProviderManifest, detection: Detection): ProviderInfo => ({
    id: manifest.id,
    name: manifest.name,
    description: manifest.description,
    icon: manifest.icon ?? null,
    command: executableOf(manifest),
    available: detection.available,
    path: detection.path,
    version: detection.version,
    enabled: true,
    installHint: installHint(manifest),
    capabilities: {
      resume: manifest.capabilities.resume ?? false,
      images: manifest.capabilities.images,
      mcp: manifest.capabilities.mcp,
    },
    bypass: manifest.bypass !== undefined,
    checkedAt: detection.checkedAt,
    error: detection.error,
  });

  const describe = async (manifest: ProviderManifest) =>
    info(manifest, await detector.detect(manifest.id, executableOf(manifest)));

  return {
    errors,
    list: () => Promise.all([...manifests.values()].map(describe)),
    async get(id) {
      const manifest = manifests.get(id);
      return manifest ? describe(manifest) : undefined;
    },
    async refresh(id) {
      detector.refresh(id);
      return this.get(id);
    },
    async launch({ provider, args, bypass, env }) {
      const manifest = manifests.get(provider);
      if (!manifest) {
        throw badRequest("unknown_provider", `unknown provider ${JSON.stringify(provider)}`);
      }
      const detection = await detector.detect(manifest.id, executableOf(manifest));
      if (!detection.available || !detection.path) {
        const hint = installHint(manifest);
        throw new AppError(
          503,
          "provider_unavailable",
          `${manifest.name} is not installed on the server${hint ? `; install it with: ${hint}` : ""}`,
        );
      }
      return buildLaunch(manifest, {
        shell: options.shell,
        executable: detection.path,
        args,
        bypass: bypass ?? false,
        ...(env ? { requestEnv: env } : {}),
        baseEnv: options.baseEnv,
      });
    },
  };
}

function installHint(manifest: ProviderManifest): string | null {
  if (manifest.install?.hint) return manifest.install.hint;
  return manifest.install?.npm ? `npm install -g ${manifest.install.npm}` : null;
}
