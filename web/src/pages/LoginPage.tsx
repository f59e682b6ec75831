// Sign-in: username and password; afterwards back to the page the user came from.
import { useSignal } from "@preact/signals";
import { ApiError, errorMessage } from "../api/http.ts";
import { SetupHint } from "../components/SetupHint.tsx";
import { useStores } from "../stores.ts";

export function LoginPage({ next }: { next: string }) {
  const { auth } = useStores();
  const error = useSignal("");
  const busy = useSignal(false);
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    busy.value = true;
    error.value = "";
    try {
      await auth.login(String(form.get("username")), String(form.get("password")), next);
    } catch (e) {
      error.value =
        e instanceof ApiError && e.status === 401 ? "Wrong username or password." : errorMessage(e);
    } finally {
      busy.value = false;
    }
  };
  return (
    <main class="auth-page">
      <form class="card auth-card" onSubmit={submit}>
        <h1 class="brand">OpenDray</h1>
        <SetupHint />
        <label>
          Username
          <input name="username" autocomplete="username" autocapitalize="off" required autofocus />
        </label>
        <label>
          Password
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
        {error.value && (
          <p class="error" role="alert">
            {error.value}
          </p>
        )}
        <button class="primary" type="submit" disabled={busy.value}>
          {busy.value ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
