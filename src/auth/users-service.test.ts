import { expect, test } from "bun:test";
import { AppError } from "../errors.ts";
import { createUsersService } from "./users-service.ts";

function serviceOver(ids: string[]) {
  const held = new Set(ids);
  return createUsersService({
    accounts: {
      createUser: async () => Promise.reject(new Error("not used")),
      deleteUser: async (id: string) => held.delete(id),
    },
    users: { list: async () => [] },
  });
}

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => (error instanceof AppError ? [error.status, error.code] : error),
  );

test("deletes another account", async () => {
  expect(await refusal(serviceOver(["a", "b"]).remove("b", "a"))).toBeUndefined();
});

test("refuses an admin's own account with 409 cannot_delete_self, before looking it up", async () => {
  expect(await refusal(serviceOver(["a"]).remove("a", "a"))).toEqual([409, "cannot_delete_self"]);
});

test("is 404 for an account that does not exist", async () => {
  expect(await refusal(serviceOver(["a"]).remove("gone", "a"))).toEqual([404, "not_found"]);
});
