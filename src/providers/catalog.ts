// The providers a session can run. For now only `shell`: the user's login shell (`-l`), with the
// session's args appended. The catalog issue replaces this with manifests for the AI CLIs.

/** What to execute for a session: never through a shell for argument expansion. */
export interface LaunchSpec {
  file: string;
  args: string[];
}

export interface ProviderInfo {
  id: string;
  name: string;
  command: string;
  available: boolean;
  version: string | null;
  enabled: boolean;
}

export interface ProviderCatalog {
  list(): ProviderInfo[];
  /** The launch for a provider id with the session's extra args; undefined when unknown. */
  resolve(id: string, args: readonly string[]): LaunchSpec | undefined;
}

/** @param shell absolute path of the user's login shell */
export function createProviderCatalog({ shell }: { shell: string }): ProviderCatalog {
  const shellInfo: ProviderInfo = {
    id: "shell",
    name: "Shell",
    command: shell,
    available: true,
    version: null,
    enabled: true,
  };
  return {
    list: () => [{ ...shellInfo }],
    resolve: (id, args) => (id === "shell" ? { file: shell, args: ["-l", ...args] } : undefined),
  };
}
