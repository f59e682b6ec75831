// GET /health: liveness for load balancers and systemd checks; no authentication.
import { Hono } from "hono";

export function healthRoutes({ version }: { version: string }) {
  return new Hono().get("/health", (c) => c.json({ status: "ok", version }));
}
