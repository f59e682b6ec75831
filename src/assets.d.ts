// Native libraries imported `with { type: "file" }` resolve to a path (embedded when compiled).
declare module "*.so" {
  const path: string;
  export default path;
}
