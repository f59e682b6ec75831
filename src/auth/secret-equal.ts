// Comparison of a secret a client sent with the one the server holds, in constant time.

import { timingSafeEqual } from "node:crypto";

/**
 * Whether `given` equals `expected`, byte for byte, in time that depends only on their UTF-8
 * lengths. Compares bytes, not UTF-16 units: "é" is one unit but two bytes, and
 * timingSafeEqual throws on buffers of different lengths.
 */
export function secretEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
