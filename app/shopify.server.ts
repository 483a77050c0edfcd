// The single entry to Shopify: OAuth/token exchange, session tokens, webhook HMAC checks and the
// Admin API client all come from this one object, built once per process from the config.
import "@shopify/shopify-app-remix/adapters/node";
import { ApiVersion, AppDistribution, shopifyApp } from "@shopify/shopify-app-remix/server";
import { DrizzleSessionStoragePostgres } from "@shopify/shopify-app-session-storage-drizzle";
import type { AppConfig } from "~/config.server";
import type { Db } from "~/db/client.server";
import { sessions } from "~/db/schema";
import { ensureShop } from "~/shops/shops.server";

/** Pinned: a Shopify API version is supported for a year; move it on deliberately. */
export const SHOPIFY_API_VERSION = ApiVersion.October26;

export function createShopifyApp(config: NonNullable<AppConfig["shopify"]>, db: Db) {
  return shopifyApp({
    apiKey: config.apiKey,
    apiSecretKey: config.apiSecret,
    apiVersion: SHOPIFY_API_VERSION,
    scopes: config.scopes,
    appUrl: config.appUrl,
    authPathPrefix: "/auth",
    sessionStorage: new DrizzleSessionStoragePostgres(db, sessions),
    distribution: AppDistribution.AppStore,
    future: {
      unstable_newEmbeddedAuthStrategy: true,
      expiringOfflineAccessTokens: true,
    },
    hooks: {
      afterAuth: async ({ session }) => {
        await ensureShop(db, { platform: "shopify", domain: session.shop, name: session.shop });
      },
    },
  });
}

export type ShopifyApp = ReturnType<typeof createShopifyApp>;
