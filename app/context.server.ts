// What every route and job is handed: the process's config, database, job queue and Shopify app.
// The server builds it once at start and passes it to Remix as the load context, so routes never
// open connections or read the environment themselves.
import type { AppConfig } from "./config.server";
import type { Database, Db } from "./db/client.server";
import type { Jobs } from "./jobs/jobs.server";
import type { WorkerPresence } from "./jobs/presence.server";
import type { LiveHub } from "./orders/live.server";
import { HttpError } from "./http.server";
import type { ShopifyApp } from "./shopify.server";
import type { DemoSeam } from "./shops/demo-seam";

// A type alias (not an interface) so it fits Remix's index-signature AppLoadContext.
export type AppContext = {
  config: AppConfig;
  database: Database;
  db: Db;
  jobs: Jobs;
  /** This process's worker id and proof of life, recorded on the submissions it claims. */
  presence: WorkerPresence;
  /** Committed changes per shop, for live pages (orders/live.server.ts). */
  live: LiveHub;
  shopify: ShopifyApp | null;
  /** Only in a demo process: serves the demo's shops without sign-in (shops/demo-seam.ts). */
  demo: DemoSeam | null;
};

declare module "@remix-run/server-runtime" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AppLoadContext extends AppContext {}
}

export function requireShopify(context: AppContext): ShopifyApp {
  if (!context.shopify) {
    throw new HttpError(
      404,
      "shopify_not_configured",
      "Shopify is not configured on this server (set SHOPIFY_API_KEY and SHOPIFY_API_SECRET)",
    );
  }
  return context.shopify;
}
