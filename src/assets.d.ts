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
