// The JS heap's census after a full collection: live objects by type, and which types grew per
// unit (session) between two censuses. Used by test/session-memory.test.ts in process, and by the
// bench's settle hook and figure 4 on a server process (see docs/memory.md).

import { heapStats } from "bun:jsc";

export interface HeapCensus {
  /** Bytes of live objects, and of the heap blocks that hold them. */
  heapSize: number;
  heapCapacity: number;
  /** Live objects by JavaScriptCore's type name (`Function`, `Promise`, `JSLexicalEnvironment`, …). */
  objectTypeCounts: Record<string, number>;
}

/** Collect everything unreachable (synchronously, twice over), then count what is left. */
export function takeHeapCensus(): HeapCensus {
  Bun.gc(true);
  const { heapSize, heapCapacity, objectTypeCounts } = heapStats();
  return { heapSize, heapCapacity, objectTypeCounts };
}

/**
 * Object types whose count grew by at least `minimum` per unit from `before` to `after`, the
 * most first.
 */
export function grownPerUnit(
  before: Pick<HeapCensus, "objectTypeCounts">,
  after: Pick<HeapCensus, "objectTypeCounts">,
  units: number,
  minimum = 0.5,
): [type: string, perUnit: number][] {
  const grown: [string, number][] = [];
  for (const [type, count] of Object.entries(after.objectTypeCounts)) {
    const perUnit = (count - (before.objectTypeCounts[type] ?? 0)) / units;
    if (perUnit >= minimum) grown.push([type, perUnit]);
  }
  return grown.sort((a, b) => b[1] - a[1]);
}
