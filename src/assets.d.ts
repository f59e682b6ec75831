// Native libraries imported `with { type: "file" }` resolve to a path (embedded when compiled).
declare module "*.so" {
  const path: string;
  export default path;
}

declare module "*.wasm" {
  const path: string;
  export default path;
}

declare module "*.data" {
  const path: string;
  export default path;
}

declare module "*.sql" {
  const path: string;
  export default path;
}

// OpenDray's OpenCode plugin, imported `with { type: "text" }`: its source, written for OpenCode.
declare module "*/opencode-plugin.js" {
  const source: string;
  export default source;
}
