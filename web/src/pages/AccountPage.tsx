// The signed-in user's account: who they are, and changing their password. A change signs out
// every other browser and token of theirs; this one gets a new cookie and stays signed in.
import { useSignal } from "@preact/signals";
import { ApiError, errorMessage } from "../api/http.ts";
import { AdminForm } from "../components/AdminForm.tsx";
import { ErrorAlert } from "../components/ErrorAlert.tsx";
import { useStores } from "../stores.ts";

/** Which input an error is about: "current", "new", "confirm", or "form". */
type Errors = Partial<Record<"current" | "new" | "confirm" | "form", string>>;

function errorsOf(error: unknown): Errors {
  if (error instanceof ApiError && error.code === "invalid_credentials") {
    return { current: "The current password is wrong." };
  }
  if (error instanceof ApiError && error.code === "weak_password") {
    return { new: `${error.message}.` };
  }
  return { form: errorMessage(error) };
}

export function AccountPage() {
  const { auth, users } = useStores();
  const user = auth.user.value;
  const errors = useSignal<Errors>({});
  const done = useSignal(false);
  const saving = useSignal(false);

  const change = async (form: HTMLFormElement) => {
    const data = new FormData(form);
    const current = String(data.get("current") ?? "");
    const next = String(data.get("new") ?? "");
    done.value = false;
    if (next !== String(data.get("confirm") ?? "")) {
      errors.value = { confirm: "The new passwords do not match." };
      return;
    }
    errors.value = {};
    saving.value = true;
    try {
      await users.changePassword(current, next);
      form.reset();
      done.value = true;
    } catch (e) {
      errors.value = errorsOf(e);
    } finally {
      saving.value = false;
    }
  };

  const error = (name: keyof Errors) => (
    <ErrorAlert id={`password-${name}-error`} text={errors.value[name]} />
  );
  /** A password input named `name`, and what is wrong with it. */
  const password = (name: "current" | "new" | "confirm", label: string, autocomplete: string) => (
    <>
      <label>
        {label}
        <input
          name={name}
          type="password"
          autocomplete={autocomplete}
          required
          {...(errors.value[name]
            ? { "aria-invalid": true, "aria-describedby": `password-${name}-error` }
            : {})}
        />
      </label>
      {error(name)}
    </>
  );

  return (
    <main class="page admin">
      <h2>Account</h2>
      <section class="card settings-section" aria-labelledby="who-title">
        <h3 id="who-title">Signed in as</h3>
        <p>
          <strong class="wrap">{user?.username}</strong>{" "}
          <span class="muted">
            {user?.role === "admin" ? "Admin: full control" : "Viewer: watches, changes nothing"}
          </span>
        </p>
      </section>
      <section class="card settings-section" aria-labelledby="password-title">
        <h3 id="password-title">Change password</h3>
        <AdminForm
          onSubmit={change}
          onInput={() => {
            done.value = false;
          }}
        >
          {/* For password managers: whose password this is. */}
          <input
            type="text"
            name="username"
            autocomplete="username"
            value={user?.username}
            hidden
            readOnly
          />
          {password("current", "Current password", "current-password")}
          {password("new", "New password", "new-password")}
          {password("confirm", "New password again", "new-password")}
          <p class="muted small">
            Changing it signs out every other browser, phone and API token signed in as you; this
            browser stays signed in.
          </p>
          <div class="settings-actions">
            {error("form")}
            {done.value && (
              <p class="ok" role="status">
                Password changed. Other devices signed in as you must sign in again with the new
                password.
              </p>
            )}
            <button type="submit" class="primary" disabled={saving.value}>
              {saving.value ? "Changing…" : "Change password"}
            </button>
          </div>
        </AdminForm>
      </section>
    </main>
  );
}
