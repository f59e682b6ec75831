// On the sign-in page of a server that has no account yet: where the first one comes from.
import { useEffect, useMemo } from "preact/hooks";
import { createSetupState } from "../state/setup-state.ts";
import { useStores } from "../stores.ts";

export function SetupHint() {
  const { api } = useStores();
  const setup = useMemo(() => createSetupState(api), [api]);
  useEffect(() => {
    void setup.check();
  }, [setup]);
  if (setup.open.value !== true) return null;
  return (
    <div class="setup-hint" role="status" data-testid="setup-hint">
      <p>
        <strong>This server has no account yet.</strong> Open the setup link printed in the server's
        log (it ends in <code>/setup#token=…</code>) to create the first administrator.
      </p>
      <p class="muted small">
        No link in the log? A server that listens beyond loopback prints none: create the account on
        the server with <code>opendray user add NAME --role admin</code>.
      </p>
    </div>
  );
}
