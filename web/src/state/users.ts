// Accounts: the list of users for admins (create, delete), and changing one's own password.
import type { User, UserRole } from "../../../src/protocol/auth.ts";
import type { ApiClient } from "../api/http.ts";
import { createLoadable } from "./loadable.ts";

export function createUsersStore(api: ApiClient) {
  /** `users`: null until loaded, oldest first as the API lists them; `error`: why the list
   *  could not be loaded (403 for viewers), else "". */
  const loaded = createLoadable("users", () => api.users());
  const { users, load } = loaded;
  return {
    ...loaded,
    /** Rejects with the API's ApiError (weak_password, invalid_request, 409 for a taken name). */
    async create(username: string, password: string, role: UserRole): Promise<User> {
      const created = await api.createUser({ username, password, role });
      await load();
      return created;
    },
    /** Rejects with the API's ApiError (409 cannot_delete_self). */
    async remove(id: string): Promise<void> {
      await api.deleteUser(id);
      users.value = (users.value ?? []).filter((user) => user.id !== id);
    },
    /**
     * Change the signed-in user's password. The server answers with a new sign-in (its cookie
     * replaces this browser's) and every token issued before, on any device, stops working.
     */
    async changePassword(currentPassword: string, newPassword: string): Promise<void> {
      await api.changePassword(currentPassword, newPassword);
    },
  };
}

export type UsersStore = ReturnType<typeof createUsersStore>;
