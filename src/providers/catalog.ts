// The provider catalog: built-in and operator manifests, each with its executable's detection
// (found on PATH, version), the launch of a session from a manifest, and an admin's changes to a
// provider's settings, told to the action listeners (the audit log is written from them).

import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { type HookEndpoint, hookLaunch } from "../attention/hook-channel.ts";
import { type Actor, type Cause, describeCause } from "../cause.ts";
import type { ProviderSettingsRepo } from "../db/provider-settings-repo.ts";
import { AppError, badRequest } from "../errors.ts";
import type { ProviderSettingsPatch } from "../protocol/provider-requests.ts";
import type { ProviderInfo } from "../protocol/providers.ts";
import { BUILTIN_MANIFESTS } from "./builtin.ts";
import { createDetector, type Detection, type Detector } from "./detect.ts";
import { buildLaunch, type Launch, type ResumeRequest } from "./launch.ts";
import { type Attention, LOGIN_SHELL, loadManifests, type ProviderManifest } from "./manifest.ts";
import type { SecretBox } from "./secret-box.ts";

export type { ProviderInfo };

export interface LaunchOptions {
  provider: string;
  args: readonly string[];
  bypass?: boolean | undefined;
  model?: string | undefined;
  resume?: "last" | undefined;
  /** Resume this conversation of the CLI (its id from an earlier launch). */
  conversationId?: string | undefined;
  env?: Record<string, string> | undefined;
  /** Where the CLI's hooks report, for a provider that declares hooks. */
  hooks?: HookEndpoint | undefined;
}

/**
 * A launch, the conversation id it pinned or resumes (null when the CLI has none), and how to
 * tell what the CLI is doing (its manifest's `attention`).
 */
export interface SessionLaunch extends Launch {
  conversationId: string | null;
  attention: Attention;
}

/** A change to provider `providerId`'s settings, and who made it. */
export interface ProviderAction {
  type: "provider.updated";
  providerId: string;
  /** Null when no request caused it: `detail.reason` says why. */
  actor: Actor | null;
  /** Never the settings themselves: they may hold secrets. */
  detail: Record<string, unknown>;
}

export interface ProviderCatalog {
  list(): Promise<ProviderInfo[]>;
  /** Undefined for an unknown id. */
  get(id: string): Promise<ProviderInfo | undefined>;
  /** Probe again now (after installing a CLI). */
  refresh(id: string): Promise<ProviderInfo | undefined>;
  /** The process for a new session: 400 unknown_provider or provider_disabled, 503 provider_unavailable. */
  launch(options: LaunchOptions): Promise<SessionLaunch>;
  /** How to tell what a provider's CLI is doing; undefined for an unknown id. */
  attentionOf(id: string): Attention | undefined;
  /** Change a provider's settings (validated against its manifest); secrets are sealed. */
  update(
    id: string,
    patch: ProviderSettingsPatch,
    cause?: Cause,
  ): Promise<ProviderInfo | undefined>;
  /** Listen to changes of settings; returns the unsubscribe. */
  onAction(listener: (action: ProviderAction) => void): () => void;
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
  settings: ProviderSettingsRepo;
  secretBox: SecretBox;
  now?: () => number;
  detector?: Detector;
  onError?: (error: unknown, context: string) => void;
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

  const settingsOf = async (id: string) => {
    const row = await options.settings.get(id);
    return {
      enabled: row?.enabled ?? true,
      args: row?.args ?? [],
      config: (row?.config ?? {}) as Record<string, string | number | boolean | string[]>,
      secrets: row?.secrets ?? {},
    };
  };
  type Settings = Awaited<ReturnType<typeof settingsOf>>;
  const openSecrets = (id: string, sealed: Record<string, string>) =>
    Object.fromEntries(
      Object.entries(sealed).map(([key, value]) => [
        key,
        options.secretBox.open(value, `${id}:${key}`),
      ]),
    );

  const info = (
    manifest: ProviderManifest,
    detection: Detection,
    settings: Settings,
  ): ProviderInfo => ({
    id: manifest.id,
    name: manifest.name,
    description: manifest.description,
    icon: manifest.icon ?? null,
    command: executableOf(manifest),
    available: detection.available,
    path: detection.path,
    version: detection.version,
    enabled: settings.enabled,
    installHint: installHint(manifest),
    capabilities: {
      resume: manifest.capabilities.resume ?? false,
      images: manifest.capabilities.images,
      mcp: manifest.capabilities.mcp,
    },
    bypass: manifest.bypass !== undefined,
    checkedAt: detection.checkedAt,
    error: detection.error,
    defaultArgs: settings.args,
    config: settings.config,
    secretsSet: Object.keys(settings.secrets).sort(),
    fields: manifest.fields,
  });

  const actionListeners = new Set<(action: ProviderAction) => void>();
  /** Tell the action listeners; one that throws is logged and never fails the change. */
  const record = (providerId: string, cause: Cause | undefined) => {
    const { actor, detail } = describeCause(cause);
    for (const listener of actionListeners) {
      try {
        listener({ type: "provider.updated", providerId, actor, detail });
      } catch (error) {
        options.onError?.(error, `recording the update of provider ${providerId}`);
      }
    }
  };

  const describe = async (manifest: ProviderManifest) =>
    info(
      manifest,
      await detector.detect(manifest.id, executableOf(manifest)),
      await settingsOf(manifest.id),
    );

  return {
    errors,
    list: () => Promise.all([...manifests.values()].map(describe)),
    async get(id) {
      const manifest = manifests.get(id);
      return manifest ? describe(manifest) : undefined;
    },
    async update(id, patch, cause) {
      const manifest = manifests.get(id);
      if (!manifest) return undefined;
      await applyUpdate(manifest, await settingsOf(id), patch, {
        shell: options.shell,
        settings: options.settings,
        secretBox: options.secretBox,
        now: options.now ?? Date.now,
      });
      record(id, cause);
      return describe(manifest);
    },
    onAction(listener) {
      actionListeners.add(listener);
      return () => actionListeners.delete(listener);
    },
    attentionOf(id) {
      return manifests.get(id)?.attention;
    },
    async refresh(id) {
      detector.refresh(id);
      return this.get(id);
    },
    async launch({ provider, args, bypass, model, resume, conversationId, env, hooks }) {
      const manifest = manifests.get(provider);
      if (!manifest) {
        throw badRequest("unknown_provider", `unknown provider ${JSON.stringify(provider)}`);
      }
      const settings = await settingsOf(manifest.id);
      if (!settings.enabled) {
        throw badRequest("provider_disabled", `${manifest.name} is disabled by an admin`);
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
      const allArgs = [...settings.args, ...args];
      const conversation = conversationFor(manifest, allArgs, resume, conversationId);
      const launch = buildLaunch(manifest, {
        shell: options.shell,
        executable: detection.path,
        args: allArgs,
        config: settings.config,
        secrets: openSecrets(manifest.id, settings.secrets),
        bypass: bypass ?? false,
        ...(model === undefined ? {} : { model }),
        ...(conversation ? { resume: conversation } : resume === undefined ? {} : { resume }),
        ...(env ? { requestEnv: env } : {}),
        baseEnv: options.baseEnv,
      });
      const { attention } = manifest;
      if (hooks && attention.hooks) {
        const installed = hookLaunch(attention.hooks, hooks, launch.env);
        launch.args.unshift(...installed.args);
        Object.assign(launch.env, installed.env);
      }
      return { ...launch, conversationId: conversation?.sessionId ?? null, attention };
    },
  };
}

/**
 * Resume `conversationId` when given; otherwise pin a new id when the CLI can (and neither
 * `resume: "last"` nor the args choose one themselves).
 */
function conversationFor(
  manifest: ProviderManifest,
  args: readonly string[],
  resume: "last" | undefined,
  conversationId: string | undefined,
): Exclude<ResumeRequest, "last"> | undefined {
  if (conversationId !== undefined) return { sessionId: conversationId, mode: "resume" };
  const pin = manifest.resume?.pinSession;
  if (!pin || resume !== undefined) return undefined;
  const setByArgs = (flag: string) =>
    args.some((entry) => entry === flag || entry.startsWith(`${flag}=`));
  const chosen = [
    pin.flag,
    manifest.resume?.resumeSession?.flag,
    ...(manifest.resume?.lastInCwd ?? []),
  ];
  if (chosen.some((flag) => flag?.startsWith("-") && setByArgs(flag))) return undefined;
  return { sessionId: randomUUID(), mode: "pin" };
}

/** Validate a settings change against the manifest, then store it with secrets sealed. */
async function applyUpdate(
  manifest: ProviderManifest,
  current: { args: string[]; config: Record<string, unknown>; secrets: Record<string, string> },
  patch: ProviderSettingsPatch,
  deps: { shell: string; settings: ProviderSettingsRepo; secretBox: SecretBox; now: () => number },
) {
  const config = { ...current.config };
  for (const [key, value] of Object.entries(patch.config ?? {})) {
    if (value === null) delete config[key];
    else config[key] = value;
  }
  const secretNames = new Set(Object.keys(current.secrets));
  for (const [key, value] of Object.entries(patch.secrets ?? {})) {
    if (value === null) secretNames.delete(key);
    else secretNames.add(key);
  }
  // A dry run of the launch checks every key, type and value the way a spawn would.
  buildLaunch(manifest, {
    shell: deps.shell,
    args: patch.args ?? current.args,
    config,
    secrets: Object.fromEntries([...secretNames].map((name) => [name, "x"])),
  });
  const sealed = Object.fromEntries(
    Object.entries(patch.secrets ?? {}).map(([key, value]) => [
      key,
      value === null ? null : deps.secretBox.seal(value, `${manifest.id}:${key}`),
    ]),
  );
  await deps.settings.upsert(
    manifest.id,
    {
      ...(patch.enabled === undefined ? {} : { enabled: patch.enabled }),
      ...(patch.args === undefined ? {} : { args: patch.args }),
      ...(patch.config === undefined
        ? {}
        : { config: config as Record<string, string | number | boolean> }),
      ...(patch.secrets === undefined ? {} : { secrets: sealed }),
    },
    new Date(deps.now()),
  );
}

function installHint(manifest: ProviderManifest): string | null {
  if (manifest.install?.hint) return manifest.install.hint;
  return manifest.install?.npm ? `npm install -g ${manifest.install.npm}` : null;
}
