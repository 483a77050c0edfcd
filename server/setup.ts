// `npm run setup`: create or update the database schema, then exit. Safe to run any number of times.
import { ConfigError, loadConfig } from "~/config.server";
import { DatabaseLockedError } from "~/db/client.server";
import { openAppDatabase } from "./boot";

try {
  // Only the database settings matter here; Shopify credentials are not needed to migrate.
  const config = loadConfig(process.env, { needsShopify: false });
  const database = await openAppDatabase(config);
  await database.close();
  console.log(
    `[orderlane] migrations applied (${config.database.kind === "postgres" ? "PostgreSQL" : config.database.dataDir})`,
  );
} catch (err) {
  if (err instanceof ConfigError || err instanceof DatabaseLockedError) {
    console.error(`[orderlane] setup failed: ${err.message}`);
  } else {
    console.error("[orderlane] setup failed:", err);
  }
  process.exit(1);
}
