// The server as the benches run it: src/main.ts unchanged, plus one hook so that a bench can force
// a settle from outside. SIGUSR2 runs a full garbage collection and reports memory on stderr:
// process.memoryUsage(), the JS heap's live bytes beside the bytes of the blocks it holds, and
// its live objects by type.

import { heapStats } from "bun:jsc";
import "../src/main.ts";

process.on("SIGUSR2", () => {
  Bun.gc(true);
  const usage = process.memoryUsage();
  process.stderr.write(
    `${JSON.stringify({
      msg: "bench.settled",
      rss: usage.rss,
      heapUsed: usage.heapUsed,
      external: usage.external,
      arrayBuffers: usage.arrayBuffers,
      ...jsHeap(),
    })}\n`,
  );
});

function jsHeap() {
  const { heapSize, heapCapacity, objectTypeCounts } = heapStats();
  return { heapSize, heapCapacity, objectTypeCounts };
}
