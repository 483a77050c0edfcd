// Builds the process's AppContext: config → database (+ migrations) → jobs → Shopify, and the
// demo's seam in demo mode. Used by the web+worker process, the worker alone, `npm run setup` and
// the tests, so they all start the same way.
import { ConfigError, type AppConfig } from "~/config.server";
import type { AppContext } from "~/context.server";
import { openDatabase, type Database } from "~/db/client.server";
import { applyMigrations } from "~/db/migrate.server";
import { createDemoSeam } from "~/demo/demo-owner.server";
import { startJobs } from "~/jobs/jobs.server";
import { startPresence, type PresenceOptions } from "~/jobs/presence.server";
import { createLiveHub } from "~/orders/live.server";
import { createShopifyApp } from "~/shopify.server";

export async function openAppDatabase(config: AppConfig): Promise<Database> {
  const database = await openDatabase(
    config.database.kind === "postgres"
      ? {
          kind: "postgres",
          url: config.database.url,
          poolSize: config.database.poolSize,
          applicationName: `orderlane-${config.role}`,
        }
      : { kind: "pglite", dataDir: config.database.dataDir },
  );
  try {
    await applyMigrations(database);
  } catch (err) {
    await database.close().catch(() => {});
    throw explainConnectionFailure(config, err);
  }
  return database;
}

export async function bootContext(
  config: AppConfig,
  database?: Database,
  options: { presence?: PresenceOptions } = {},
): Promise<AppContext> {
  const db = database ?? (await openAppDatabase(config));
  // Before the jobs: no claim is ever made without a presence to vouch for it.
  const presence = await startPresence(db, options.presence);
  const jobs = await startJobs(db).catch(async (err: unknown) => {
    await presence.close();
    throw err;
  });
  return {
    config,
    database: db,
    db: db.db,
    jobs,
    presence,
    live: createLiveHub(db),
    shopify: config.shopify ? createShopifyApp(config.shopify, db.db) : null,
    // The demo serves its shops without sign-in, so only a process booted in demo mode plugs it in.
    demo: config.mode === "demo" ? createDemoSeam({ db: db.db, config }) : null,
  };
}

export async function closeContext(ctx: AppContext): Promise<void> {
  await ctx.live.stop();
  await ctx.jobs.stop();
  // Only once the jobs have stopped: until then a claim of ours may still be in the middle of a call.
  await ctx.presence.close();
  await ctx.database.close();
}

// The usual ways a PostgreSQL URL turns out wrong, said in one line about the variable.
const CONNECTION_ERRORS: Record<string, string> = {
  ECONNREFUSED: "nothing is listening at that host and port",
  ENOTFOUND: "the host name does not resolve",
  ETIMEDOUT: "the server did not answer in time",
  "28P01": "the password was refused",
  "28000": "the user is not allowed to connect",
  "3D000": "that database does not exist",
};

function explainConnectionFailure(config: AppConfig, err: unknown): unknown {
  if (config.database.kind !== "postgres") return err;
  const code = (err as { code?: string } | null)?.code;
  const reason = code ? CONNECTION_ERRORS[code] : undefined;
  return reason ? new ConfigError("DATABASE_URL", `cannot connect: ${reason} (${code})`) : err;
}
