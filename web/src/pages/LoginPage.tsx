// Sign-in: username and password; afterwards back to the page the user came from.
import { ApiError, errorMessage } from "../api/http.ts";
import { ErrorAlert } from "../components/ErrorAlert.tsx";
import { SetupHint } from "../components/SetupHint.tsx";
import { useSubmission } from "../components/submission.ts";
import { useStores } from "../stores.ts";

export function LoginPage({ next }: { next: string }) {
  const { auth } = useStores();
  const { busy, error, run } = useSubmission();
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    void run(
      () => auth.login(String(form.get("username")), String(form.get("password")), next),
      (e) =>
        e instanceof ApiError && e.status === 401 ? "Wrong username or password." : errorMessage(e),
    );
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
        <ErrorAlert text={error.value} />
        <button class="primary" type="submit" disabled={busy.value}>
          {busy.value ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
