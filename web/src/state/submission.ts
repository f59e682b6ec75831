// An action in flight: `busy` while it runs, and what failed in `error`. Stores use it as it is,
// forms through useSubmission (components/submission.ts).
import { signal } from "@preact/signals";
import { errorMessage } from "../api/http.ts";

export function createSubmission() {
  const busy = signal(false);
  const error = signal("");
  /** Run `action`, clearing `error` first; a failure is shown as `describe` words it. */
  const run = async (action: () => Promise<void>, describe = errorMessage): Promise<void> => {
    busy.value = true;
    error.value = "";
    try {
      await action();
    } catch (e) {
      error.value = describe(e);
    } finally {
      busy.value = false;
    }
  };
  return { busy, error, run };
}
