// A form's submission in flight: `busy` while its action runs, and what failed in `error`.
import { useSignal } from "@preact/signals";
import { errorMessage } from "../api/http.ts";

export function useSubmission() {
  const busy = useSignal(false);
  const error = useSignal("");
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
