// The accounts admins manage (GET/POST /users, DELETE /users/:id): list, create and delete, over
// the accounts service (which hashes and checks passwords, and tells the audit log) and the users
// repository.

import type { Cause } from "../cause.ts";
import type { UsersRepo } from "../db/users-repo.ts";
import { conflict, notFound } from "../errors.ts";
import type { User, UserRole } from "../protocol/auth.ts";
import { type Accounts, toUser } from "./accounts.ts";

export interface UsersServiceDeps {
  accounts: Pick<Accounts, "createUser" | "deleteUser">;
  users: Pick<UsersRepo, "list">;
}

export function createUsersService({ accounts, users }: UsersServiceDeps) {
  return {
    /** Every account, as the API shows it (no password hashes). */
    async list(): Promise<User[]> {
      return (await users.list()).map(toUser);
    },

    /** A new account; 400 for a weak password or a bad name, 409 when the name is taken. */
    create(username: string, password: string, role: UserRole, cause?: Cause): Promise<User> {
      return accounts.createUser(username, password, role, cause);
    },

    /** Deletes account `id` for `actorId`: 409 cannot_delete_self, 404 when there is none. */
    async remove(id: string, actorId: string, cause?: Cause): Promise<void> {
      if (id === actorId) {
        throw conflict("cannot_delete_self", "sign in as another admin to delete this account");
      }
      if (!(await accounts.deleteUser(id, cause))) throw notFound("user");
    },
  };
}

/** The users service. */
export type UsersService = ReturnType<typeof createUsersService>;
