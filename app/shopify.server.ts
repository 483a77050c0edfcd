// The single entry to Shopify: OAuth/token exchange, session tokens, webhook HMAC checks and the
// Admin API client all come from this one object, built once per process from the config.
import "@shopify/shopify-app-remix/adapters/node";
import { ApiVersion, AppDistribution, shopifyApp } from "@shopify/shopify-app-remix/server";
import { DrizzleSessionStoragePostgres } from "@shopify/shopify-app-session-storage-drizzle";
import type { AppConfig } from "~/config.server";
import type { Db } from "~/db/client.server";
import { sessions } from "~/db/schema";
import { SHOP_TIME_ZONE_QUERY } from "~/carts/shopify/catalog.server";
import { adoptShopTimeZone } from "~/shops/shop-time-zone.server";
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
      afterAuth: async ({ session, admin }) => {
        const shop = await ensureShop(db, {
          platform: "shopify",
          domain: session.shop,
          name: session.shop,
        });
        // The shop's own time zone becomes its default; an install never fails for want of it.
        try {
          const res = await admin.graphql(SHOP_TIME_ZONE_QUERY);
          const body = (await res.json()) as { data?: { shop?: { ianaTimezone?: string } } };
          await adoptShopTimeZone(db, shop.id, body.data?.shop?.ianaTimezone ?? null);
        } catch {
          // Settings asks again when it is opened while the zone is still the default.
        }
      },
    },
  });
}

export type ShopifyApp = ReturnType<typeof createShopifyApp>;
