// First run: create the first admin with the one-time token from the setup link (#token=…).
// A link used already (an account exists) says so at once and leads to sign-in instead.

import { useEffect, useMemo } from "preact/hooks";
import { ErrorAlert } from "../components/ErrorAlert.tsx";
import { useSubmission } from "../components/submission.ts";
import { createSetupState } from "../state/setup-state.ts";
import { useStores } from "../stores.ts";

export function SetupPage({ token }: { token: string }) {
  const { auth, api, router } = useStores();
  const setup = useMemo(() => createSetupState(api), [api]);
  useEffect(() => {
    void setup.check();
  }, [setup]);
  const { busy, error, run } = useSubmission();
  if (setup.open.value === false) {
    return (
      <main class="auth-page">
        <div class="card auth-card">
          <h1 class="brand">OpenDray</h1>
          <p role="alert" data-testid="setup-done">
            Setup is already done: this server has an account. Sign in with it.
          </p>
          <a
            class="button primary"
            href="/login"
            onClick={(event) => {
              event.preventDefault();
              router.navigate("/login", true);
            }}
          >
            Sign in
          </a>
        </div>
      </main>
    );
  }
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const password = String(form.get("password"));
    if (password !== String(form.get("confirm"))) {
      error.value = "The passwords differ.";
      return;
    }
    void run(() => auth.setup(token, String(form.get("username")), password));
  };
  return (
    <main class="auth-page">
      <form class="card auth-card" onSubmit={submit}>
        <h1 class="brand">Welcome to OpenDray</h1>
        <p class="muted">Create the first administrator account.</p>
        {!token && (
          <p class="error" role="alert">
            This page needs the one-time setup link that the server printed when it started.
          </p>
        )}
        <label>
          Username
          <input
            name="username"
            autocomplete="username"
            autocapitalize="off"
            required
            value="admin"
          />
        </label>
        <label>
          Password (12 characters or more)
          <input
            name="password"
            type="password"
            autocomplete="new-password"
            minLength={12}
            required
          />
        </label>
        <label>
          Password again
          <input
            name="confirm"
            type="password"
            autocomplete="new-password"
            minLength={12}
            required
          />
        </label>
        <ErrorAlert text={error.value} />
        <button class="primary" type="submit" disabled={busy.value || !token}>
          {busy.value ? "Creating…" : "Create account"}
        </button>
      </form>
    </main>
  );
}
