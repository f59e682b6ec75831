// Lets a bench settle a process from outside: on SIGUSR2 it runs a full garbage collection and
// reports its memory on stderr as one JSON line (msg "bench.settled"): process.memoryUsage(), the
// JS heap's live bytes beside the bytes of the blocks it holds, and its live objects by type.
// Imported by bench/server-entry.ts, and preloaded into a PTY host the bench starts itself.

import { takeHeapCensus } from "../test/support/heap-census.ts";

process.on("SIGUSR2", () => {
  const { heapSize, heapCapacity, objectTypeCounts } = takeHeapCensus();
  const usage = process.memoryUsage();
  process.stderr.write(
    `${JSON.stringify({
      msg: "bench.settled",
      rss: usage.rss,
      heapUsed: usage.heapUsed,
      external: usage.external,
      arrayBuffers: usage.arrayBuffers,
      heapSize,
      heapCapacity,
      objectTypeCounts,
    })}\n`,
  );
});
