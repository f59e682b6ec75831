// drizzle-kit configuration: `npm run db:generate` writes SQL migrations from src/db/schema.ts
// into drizzle/, which the server applies at start-up (src/db/migrate.ts).

import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/schema.ts",
  out: "./drizzle",
});
