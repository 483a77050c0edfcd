import { defineConfig } from "drizzle-kit";

// `npm run db:generate` turns changes in app/db/schema.ts into a new SQL migration; the app applies
// migrations itself on start (app/db/migrate.server.ts), so drizzle-kit never touches a live database.
export default defineConfig({
  dialect: "postgresql",
  schema: "./app/db/schema.ts",
  out: "./app/db/migrations",
});
