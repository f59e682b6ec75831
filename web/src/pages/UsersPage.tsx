// Users (admins): who has an account (name, role, since when), a form to add one, and deleting
// one after a confirmation. An admin cannot delete their own account (the API refuses: 409).
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { User, UserRole } from "../../../src/protocol/auth.ts";
import { errorMessage } from "../api/http.ts";
import { AdminForm } from "../components/AdminForm.tsx";
import { ConfirmDialog } from "../components/Dialog.tsx";
import { ErrorAlert } from "../components/ErrorAlert.tsx";
import { FormStatus } from "../components/FormStatus.tsx";
import { useStores } from "../stores.ts";

export function UsersPage() {
  const { users, auth } = useStores();
  const deleting = useSignal<User | null>(null);
  const deleteError = useSignal("");
  useEffect(() => {
    void users.load();
  }, [users]);
  const list = users.users.value;
  const me = auth.user.value;

  const remove = async (user: User) => {
    try {
      await users.remove(user.id);
      deleteError.value = "";
    } catch (e) {
      deleteError.value = `${user.username} was not deleted: ${errorMessage(e)}`;
    }
  };

  return (
    <main class="page admin">
      <h2>Users</h2>
      <ErrorAlert text={users.error.value} />
      <ErrorAlert text={deleteError.value} />
      {!list && !users.error.value && <p class="muted">Loading…</p>}
      {list && (
        <ul class="user-list" aria-label="Accounts">
          {list.map((user) => {
            const self = user.id === me?.id;
            return (
              <li key={user.id} class="card user-row">
                <div class="user-info">
                  <strong class="wrap">{user.username}</strong>
                  <span class="muted small">
                    {user.role === "admin" ? "Admin" : "Viewer"} · created{" "}
                    <time dateTime={user.createdAt}>
                      {new Date(user.createdAt).toLocaleDateString()}
                    </time>
                  </span>
                  {self && (
                    <span id="self-reason" class="muted small">
                      This is you: another admin can delete this account.
                    </span>
                  )}
                </div>
                <button
                  type="button"
                  class="danger-outline"
                  disabled={self}
                  aria-label={`Delete ${user.username}`}
                  aria-describedby={self ? "self-reason" : undefined}
                  onClick={() => {
                    deleting.value = user;
                  }}
                >
                  Delete
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <NewUserForm />
      {deleting.value && (
        <ConfirmDialog
          title={`Delete ${deleting.value.username}?`}
          body={`${deleting.value.username} is signed out everywhere and can no longer sign in. Sessions they started keep running.`}
          action="Delete"
          danger
          onConfirm={() => remove(deleting.value as User)}
          onClose={() => {
            deleting.value = null;
          }}
        />
      )}
    </main>
  );
}

function NewUserForm() {
  const { users } = useStores();
  const error = useSignal("");
  const status = useSignal("");

  const create = async (form: HTMLFormElement) => {
    const data = new FormData(form);
    const username = String(data.get("username") ?? "");
    const role: UserRole = data.get("role") === "admin" ? "admin" : "viewer";
    error.value = "";
    status.value = "Creating…";
    try {
      const user = await users.create(username, String(data.get("password") ?? ""), role);
      form.reset();
      status.value = `${user.username} can sign in now.`;
    } catch (e) {
      error.value = errorMessage(e);
      status.value = "";
    }
  };

  return (
    <section class="card settings-section" aria-labelledby="new-user-title">
      <h3 id="new-user-title">Add a user</h3>
      <AdminForm
        onSubmit={create}
        onInput={() => {
          status.value = "";
        }}
      >
        <label>
          Username
          <input
            name="username"
            autocomplete="off"
            autocapitalize="off"
            spellcheck={false}
            aria-describedby="new-user-error"
            required
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autocomplete="new-password"
            aria-describedby="new-user-password-help new-user-error"
            required
          />
        </label>
        <p id="new-user-password-help" class="muted small">
          Give it to them another way; they can change it on their Account page.
        </p>
        <label>
          Role
          <select name="role">
            <option value="viewer">Viewer (read-only)</option>
            <option value="admin">Admin (full control)</option>
          </select>
        </label>
        <div class="settings-actions">
          <p id="new-user-error" class="error" role="alert">
            {error.value}
          </p>
          <FormStatus text={status.value} />
          <button type="submit" class="primary">
            Add user
          </button>
        </div>
      </AdminForm>
    </section>
  );
}
