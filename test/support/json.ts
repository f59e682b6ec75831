// Narrow reads of JSON the tests do not define (the requests a CLI sends to a stand-in model
// API): a field by its path, undefined wherever the value on the way is not an object with it.

/** `value.key1.key2…` when every step is a JSON object holding the key; otherwise undefined. */
export function field(value: unknown, ...path: string[]): unknown {
  let at = value;
  for (const key of path) {
    if (typeof at !== "object" || at === null || Array.isArray(at)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/** `field(value, ...path)` when it is an array; otherwise an empty one. */
export function items(value: unknown, ...path: string[]): unknown[] {
  const found = field(value, ...path);
  return Array.isArray(found) ? found : [];
}
