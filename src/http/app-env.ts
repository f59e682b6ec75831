// The Hono environment of every route: Bun's server in the bindings (for upgrades and client
// addresses), the authenticated principal in the variables.
import type { Principal } from "../auth/accounts.ts";
import type { BunServer } from "./socket-hub.ts";

export type AuthVia = "bearer" | "cookie";

export interface AppEnv {
  Bindings: { server?: BunServer };
  Variables: { principal: Principal; authVia: AuthVia };
}
