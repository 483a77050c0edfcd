// The demo's Shopify and WooCommerce shops: connected as a real install would leave them (a stored
// offline Shopify session; sealed WooCommerce keys and webhook secret), each with a sandbox
// provider and a handful of orders, and their carts answered by the local cart simulator.
// Seeding is idempotent: a second start adds nothing and keeps what the owner changed; only what
// depends on this run (the simulator's and the sandbox's ports) is written again.
import { Session } from "@shopify/shopify-api";
import { and, eq } from "drizzle-orm";
import type { NormalizedOrder } from "~/carts/connector";
import type { AppContext } from "~/context.server";
import { providers, shops } from "~/db/schema";
import { ingestCartOrders } from "~/orders/ingest.server";
import { knownCartOrderIds } from "~/orders/core/transitions.server";
import { sealSecret } from "~/security/encryption.server";
import { ensureShop, findShop } from "~/shops/shops.server";
import { WOO_TOPICS } from "~/carts/woocommerce/topics";
import { SHOPIFY_API_VERSION } from "~/shopify.server";
import { setDemoCartLinks } from "./cart-links.server";
import {
  DEMO_SHOP_NAME,
  demoShopCartOrders,
  demoShopCartParcels,
  demoShopProducts,
  markSeeded,
} from "./seed.server";
import {
  DEMO_PERSONALIZED_PRODUCTS,
  DEMO_SHOPIFY_ORDERS,
  DEMO_WOO_ORDERS,
  normalizedDemoOrder,
  type DemoCartOrder,
} from "./cart-orders";
import { startCartSimulator, type CartSimulator } from "./cart-simulator.server";
import { dropshipDemoCartOrders } from "./dropship-demo.server";
import { DEMO_SHOP_DOMAIN, DEMO_WOO_DOMAIN } from "./constants";
import { routeShopifyShopsToSimulator } from "./shopify-fetch.server";
import type { ShopSettings } from "~/orders/core/shop-settings";
import type { Shop } from "~/shops/shops.server";

/** The offline Admin API token of the demo Shopify shop; the simulator accepts only this one. */
export const DEMO_SHOPIFY_ACCESS_TOKEN = "shpat_orderlane_demo_0000000000000000";
export const DEMO_SHOPIFY_SCOPES =
  "read_orders,write_orders,read_merchant_managed_fulfillment_orders,write_merchant_managed_fulfillment_orders,read_products,write_inventory,read_locations";
/** The demo WooCommerce store's REST API keys (WooCommerce's ck_/cs_ form). */
export const DEMO_WOO_CONSUMER_KEY = "ck_orderlane_demo_00000000000000000000000000";
export const DEMO_WOO_CONSUMER_SECRET = "cs_orderlane_demo_00000000000000000000000000";

export const DEMO_SHOPIFY_SHOP_NAME = "Demo Store (Shopify, simulated)";
export const DEMO_WOO_SHOP_NAME = "Demo Woo (WooCommerce, simulated)";
const SANDBOX_PROVIDER_NAME = "Sandbox Printer";

/** What the sealed credentials of the demo WooCommerce shop hold. */
export interface DemoWooCredentials {
  consumerKey: string;
  consumerSecret: string;
  url: string;
  /** Signs the store's webhook deliveries (X-WC-Webhook-Signature). */
  webhookSecret: string;
}

export function demoWooCredentials(
  simulatorUrl: string,
  webhookSecret: string,
): DemoWooCredentials {
  return {
    consumerKey: DEMO_WOO_CONSUMER_KEY,
    consumerSecret: DEMO_WOO_CONSUMER_SECRET,
    url: simulatorUrl,
    webhookSecret,
  };
}

export interface DemoCarts {
  simulator: CartSimulator;
  shopify: { shopId: string; domain: string; ordersCreated: number };
  woo: { shopId: string; domain: string; ordersCreated: number };
}

type Ctx = Pick<AppContext, "config" | "db" | "jobs" | "shopify">;

/** Starts the cart simulator, points the demo shops at it, and seeds them. Demo mode only. */
export async function startDemoCarts(
  ctx: Ctx,
  options: { sandboxUrl: string; sandboxSecret: string; now?: Date },
): Promise<DemoCarts> {
  const demo = ctx.config.demo;
  if (!demo) throw new Error("the demo carts run only in demo mode");
  if (!ctx.shopify) throw new Error("demo mode needs its Shopify app (config.shopify)");
  const now = options.now ?? new Date();
  // Each cart holds its orders as they were when the demo first stored them, so the cart and the
  // app agree on dates after any number of restarts.
  const seededAt = async (platform: Shop["platform"], domain: string) => {
    const at = (await findShop(ctx.db, platform, domain))?.connection.demoSeededAt;
    return at ? new Date(at) : null;
  };
  const demoShop = await findShop(ctx.db, "demo", DEMO_SHOP_DOMAIN);
  const demoShopSeededAt = demoShop?.connection.demoSeededAt;

  const simulator = await startCartSimulator({
    port: demo.cartPort,
    appUrl: ctx.config.publicUrl,
    shopify: {
      shop: demo.shopifyShop,
      accessToken: DEMO_SHOPIFY_ACCESS_TOKEN,
      orders: DEMO_SHOPIFY_ORDERS,
      now: (await seededAt("shopify", demo.shopifyShop)) ?? now,
    },
    woo: {
      consumerKey: DEMO_WOO_CONSUMER_KEY,
      consumerSecret: DEMO_WOO_CONSUMER_SECRET,
      orders: DEMO_WOO_ORDERS,
      now: (await seededAt("woocommerce", DEMO_WOO_DOMAIN)) ?? now,
    },
    demoShop: demoShopSeededAt
      ? {
          orders: [
            ...demoShopCartOrders(new Date(demoShopSeededAt)),
            ...dropshipDemoCartOrders(new Date(demoShopSeededAt)),
          ],
          parcels: demoShopCartParcels(new Date(demoShopSeededAt)),
          name: DEMO_SHOP_NAME,
          products: demoShopProducts(),
        }
      : undefined,
    now,
    log: { info: console.log, error: console.error },
  });
  try {
    routeShopifyShopsToSimulator([demo.shopifyShop], simulator.url);

    // The session a Shopify install stores; unauthenticated.admin(shop) reads it.
    await ctx.shopify.sessionStorage.storeSession(
      new Session({
        id: `offline_${demo.shopifyShop}`,
        shop: demo.shopifyShop,
        state: "demo",
        isOnline: false,
        scope: DEMO_SHOPIFY_SCOPES,
        accessToken: DEMO_SHOPIFY_ACCESS_TOKEN,
      }),
    );

    const shopifyShop = await ensureCartShop(ctx, {
      platform: "shopify",
      domain: demo.shopifyShop,
      name: DEMO_SHOPIFY_SHOP_NAME,
      credentials: null,
      connection: { readAllOrders: true },
      sandbox: options,
    });
    const wooShop = await ensureCartShop(ctx, {
      platform: "woocommerce",
      domain: DEMO_WOO_DOMAIN,
      name: DEMO_WOO_SHOP_NAME,
      credentials: sealSecret(
        ctx.config.encryptionKey,
        JSON.stringify(demoWooCredentials(simulator.wooUrl, demo.wooWebhookSecret)),
      ),
      connection: {
        storeUrl: simulator.wooUrl,
        wooOrderEditor: "hpos",
        wooShipmentTracking: true,
      },
      sandbox: options,
    });

    if (demoShop) {
      // The demo shop's cart is the simulator's too; its pages and API live under /demo-cart.
      await ctx.db
        .update(shops)
        .set({ connection: { ...demoShop.connection, storeUrl: `${simulator.url}/demo-cart` } })
        .where(eq(shops.id, demoShop.id));
    }
    // What a real cart does once the app is installed or connected: send its webhooks to the app.
    simulator.sendWebhooks({
      shopify: {
        address: `${ctx.config.publicUrl}/webhooks/shopify`,
        secret: ctx.config.shopify?.apiSecret ?? "",
        apiVersion: SHOPIFY_API_VERSION,
      },
      woo: {
        deliveryUrl: `${ctx.config.publicUrl}/webhooks/woocommerce/${wooShop.id}`,
        secret: demo.wooWebhookSecret,
        topics: WOO_TOPICS,
      },
    });
    setDemoCartLinks({ simulatorUrl: simulator.url, shopifyShop: demo.shopifyShop });

    // Stored as the app keeps them before any cart update: image paths relative to the app, so a
    // different port on the next start does not leave them pointing nowhere.
    const shopifyCreated = await seedOrders(ctx, shopifyShop, now, (at) =>
      DEMO_SHOPIFY_ORDERS.map((o) =>
        normalizedDemoOrder(o, "shopify", { baseUrl: "", now: at, shop: demo.shopifyShop }),
      ),
    );
    const wooCreated = await seedOrders(ctx, wooShop, now, (at) =>
      DEMO_WOO_ORDERS.map((o) =>
        normalizedDemoOrder(o, "woocommerce", { baseUrl: "", now: at, shop: DEMO_WOO_DOMAIN }),
      ),
    );
    return {
      simulator,
      shopify: {
        shopId: shopifyShop.id,
        domain: shopifyShop.domain,
        ordersCreated: shopifyCreated,
      },
      woo: { shopId: wooShop.id, domain: wooShop.domain, ordersCreated: wooCreated },
    };
  } catch (err) {
    await simulator.close();
    throw err;
  }
}

async function ensureCartShop(
  ctx: Ctx,
  input: {
    platform: "shopify" | "woocommerce";
    domain: string;
    name: string;
    credentials: string | null;
    connection: Shop["connection"];
    sandbox: { sandboxUrl: string; sandboxSecret: string };
  },
): Promise<Shop> {
  const settings: Partial<ShopSettings> = {
    autoSubmitDelayMinutes: 60,
    processingMode: "automatic",
    personalizedProducts: DEMO_PERSONALIZED_PRODUCTS,
  };
  const created = await ensureShop(ctx.db, {
    platform: input.platform,
    domain: input.domain,
    name: input.name,
    settings,
  });
  // Where the cart and the sandbox are this run; the owner's settings stay as they left them.
  const [shop] = await ctx.db
    .update(shops)
    .set({
      credentials: input.credentials,
      connection: { ...created.connection, ...input.connection },
      updatedAt: new Date(),
    })
    .where(eq(shops.id, created.id))
    .returning();
  if (!shop) throw new Error(`could not update the demo shop ${input.domain}`);

  const sealed = sealSecret(ctx.config.encryptionKey, input.sandbox.sandboxSecret);
  const [existing] = await ctx.db
    .select({ id: providers.id })
    .from(providers)
    .where(and(eq(providers.shopId, shop.id), eq(providers.name, SANDBOX_PROVIDER_NAME)))
    .limit(1);
  if (existing) {
    await ctx.db
      .update(providers)
      .set({ endpoint: input.sandbox.sandboxUrl, signingSecret: sealed, updatedAt: new Date() })
      .where(and(eq(providers.id, existing.id), eq(providers.shopId, shop.id)));
  } else {
    await ctx.db.insert(providers).values({
      shopId: shop.id,
      kind: "sandbox",
      name: SANDBOX_PROVIDER_NAME,
      endpoint: input.sandbox.sandboxUrl,
      signingSecret: sealed,
      isDefault: true,
    });
  }
  return shop;
}

/**
 * Stores the demo orders through the same ingest as Import (one path into the database: types,
 * summaries, timeline and countdowns as for a real cart), once per database: a shop already
 * seeded gets nothing, so an order the owner deleted stays deleted. A first seed cut short stores
 * only what is missing on the next start.
 */
async function seedOrders(
  ctx: Ctx,
  shop: Shop,
  now: Date,
  plan: (seededAt: Date) => NormalizedOrder[],
): Promise<number> {
  if (shop.connection.demoSeededAt) return 0;
  const planned = plan(now);
  const known = await knownCartOrderIds(
    ctx.db,
    shop.id,
    planned.map((o) => o.cartOrderId),
  );
  const missing = planned.filter((o) => !known.has(o.cartOrderId));
  const outcomes =
    missing.length === 0 ? [] : await ingestCartOrders(ctx, shop, missing, { source: "import" });
  await markSeeded(ctx.db, shop.id, now);
  return outcomes.filter((o) => o.outcome === "created").length;
}

/** The demo cart orders of one platform, for the sample deliveries and the bench. */
export function demoCartOrders(platform: "shopify" | "woocommerce"): readonly DemoCartOrder[] {
  return platform === "shopify" ? DEMO_SHOPIFY_ORDERS : DEMO_WOO_ORDERS;
}
