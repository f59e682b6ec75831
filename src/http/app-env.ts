// The Hono environment of every route: Bun's server in the bindings (for upgrades and client
// addresses), the authenticated principal in the variables.
import type { Principal } from "../auth/accounts.ts";
import type { BunServer } from "./socket-hub.ts";

export type AuthVia = "bearer" | "cookie";

export interface AppEnv {
  Bindings: { server?: BunServer };
  /** `token`: the token the request was authenticated with (sockets keep it to check again). */
  /** `upload`: what an upload wrote, for its audit row. */
  Variables: {
    principal: Principal;
    authVia: AuthVia;
    token: string;
    upload?: { path: string; size: number };
    /** What a file or archive download read, for its audit row. */
    download?: { path: string; size: number; preview?: boolean; archive?: boolean };
  };
}
