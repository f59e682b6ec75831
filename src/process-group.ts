// Signals to a child's whole process group: PTY sessions and version probes both start their
// programs as group leaders, so that descendants go down with them.

/** Signal the process group led by `pid`, falling back to the process alone. Never throws. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}
