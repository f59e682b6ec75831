// Process checks for tests.
import { readFileSync } from "node:fs";

/** True while `pid` exists and is not a zombie (a killed orphan may linger unreaped). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}
