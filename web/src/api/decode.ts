// What the server's sockets send (and other tabs relay), checked against the schemas of
// src/protocol before anyone acts on it. A frame that is not JSON or does not match (a server of
// another version, a bug) is dropped with a console warning; it never throws at the caller.

/** What decoding needs of a schema; the zod/mini schemas of src/protocol have it. */
export interface Codec<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: unknown };
}

/** `value` as `codec` reads it, or undefined (and a warning naming `what`) when it does not. */
export function decodeValue<T>(codec: Codec<T>, value: unknown, what: string): T | undefined {
  const result = codec.safeParse(value);
  if (result.success) return result.data;
  console.warn(`ignored a malformed ${what}:`, value, result.error);
  return undefined;
}

/** The JSON text frame `text` as `codec` reads it, or undefined (and a warning). */
export function decodeJson<T>(codec: Codec<T>, text: string, what: string): T | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    console.warn(`ignored a ${what} that is not JSON:`, text);
    return undefined;
  }
  return decodeValue(codec, value, what);
}
