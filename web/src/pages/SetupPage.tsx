// First run: create the first admin with the one-time token from the setup link (#token=…).

import { useSignal } from "@preact/signals";
import { errorMessage } from "../api/http.ts";
import { useStores } from "../stores.ts";

export function SetupPage({ token }: { token: string }) {
  const { auth } = useStores();
  const error = useSignal("");
  const busy = useSignal(false);
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const password = String(form.get("password"));
    if (password !== String(form.get("confirm"))) {
      error.value = "The passwords differ.";
      return;
    }
    busy.value = true;
    error.value = "";
    try {
      await auth.setup(token, String(form.get("username")), password);
    } catch (e) {
      error.value = errorMessage(e);
    } finally {
      busy.value = false;
    }
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
        {error.value && (
          <p class="error" role="alert">
            {error.value}
          </p>
        )}
        <button class="primary" type="submit" disabled={busy.value || !token}>
          {busy.value ? "Creating…" : "Create account"}
        </button>
      </form>
    </main>
  );
}
