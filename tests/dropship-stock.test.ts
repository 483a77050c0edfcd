// Stock to the cart through the feed run: a distributor's feed is fetched from a real FTP server on
// loopback, and msw stands in for Shopify's Admin GraphQL (inventorySetQuantities) and WooCommerce's
// products/batch, answering as their docs show. What the owner would notice: only changed
// quantities reach the cart, the buffer is taken off, refusals are recorded and retried, and big
// pushes go in the cart's batch sizes.
import { randomBytes } from "node:crypto";
import { desc, eq } from "drizzle-orm";
import { http, HttpResponse } from "msw";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AppConfig } from "~/config.server";
import { distributorFeeds, dropshipProducts, feedRuns, providers, shops } from "~/db/schema";
import { startFtpFeedServer, type RunningFeedServer } from "~/demo/feed-servers.server";
import { runFeedJob } from "~/fulfillment/dropship/distributors.server";
import { pushStockAfterRun } from "~/fulfillment/dropship/stock-push.server";
import { sealSecret } from "~/security/encryption.server";
import { DEFAULT_SHOP_SETTINGS } from "~/orders/core/shop-settings";
import { closeVite, shopifySessionToken, startTestApp, type TestApp } from "./support/app";
import { createOrder, createSession, createShop } from "./support/factories";
import { mswServer } from "./support/msw";
import { mockShopifyAdmin, type GraphqlCall } from "./support/shopify-orders";
import { STARTUP_TIMEOUT_MS } from "./support/startup";

const USER = "feeds";
const PASSWORD = "stock-feed-pw";
const HEADER = "sku,stock,cost,lead_time_days,warehouse";
const LOCATION = "gid://shopify/Location/655441491";
const files = new Map<string, string>();
/** Shopify's library answers 410 to what looks like a bot; the owner's browser is not one. */
const BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0";

let app: TestApp;
let ftp: RunningFeedServer;
let config: AppConfig;

function ctx() {
  return { db: app.ctx.db, shopify: app.ctx.shopify, config };
}

beforeAll(async () => {
  app = await startTestApp();
  ftp = await startFtpFeedServer({
    port: 0,
    user: USER,
    password: PASSWORD,
    files: (path) => files.get(path) ?? null,
  });
  config = {
    ...app.ctx.config,
    encryptionKey: app.ctx.config.encryptionKey ?? randomBytes(32),
    demo: { ...app.ctx.config.demo, feedAddresses: [`ftp://127.0.0.1:${ftp.port}`] },
  } as AppConfig;
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await ftp?.close();
  await app?.close();
  await closeVite();
});
beforeEach(() => files.clear());

async function distributor(shopId: string, path: string): Promise<string> {
  const [provider] = await app.ctx.db
    .insert(providers)
    .values({
      shopId,
      kind: "distributor",
      name: `Distributor ${path}`,
      credentials: sealSecret(
        config.encryptionKey,
        JSON.stringify({ username: USER, password: PASSWORD }),
      ),
    })
    .returning();
  await app.ctx.db.insert(distributorFeeds).values({
    providerId: provider!.id,
    shopId,
    protocol: "ftp",
    host: "127.0.0.1",
    port: ftp.port,
    path,
    columns: {
      sku: "sku",
      stock: "stock",
      cost: "cost",
      leadTimeDays: "lead_time_days",
      warehouse: "warehouse",
    },
  });
  return provider!.id;
}

async function runFeedNow(shopId: string, providerId: string) {
  await runFeedJob(ctx(), { shopId, providerId, trigger: "owner" }, { timeoutMs: 5_000 });
  const [last] = await app.ctx.db
    .select()
    .from(feedRuns)
    .where(eq(feedRuns.providerId, providerId))
    .orderBy(desc(feedRuns.startedAt))
    .limit(1);
  expect(last!.status).toBe("succeeded");
  return last!;
}

async function pushedStock(shopId: string) {
  const rows = await app.ctx.db
    .select()
    .from(dropshipProducts)
    .where(eq(dropshipProducts.shopId, shopId));
  return Object.fromEntries(rows.map((r) => [r.sku, r.pushedStock]));
}

async function shopifyShop() {
  const shop = await createShop(app.ctx.db);
  await createSession(app.ctx.db, shop.domain);
  await app.ctx.db
    .update(shops)
    .set({ settings: { ...DEFAULT_SHOP_SETTINGS, dropshipStockLocationId: LOCATION } })
    .where(eq(shops.id, shop.id));
  return shop;
}

type SetInput = {
  name: string;
  reason: string;
  referenceDocumentUri: string;
  quantities: {
    inventoryItemId: string;
    locationId: string;
    quantity: number;
    changeFromQuantity: null;
  }[];
};
const inputOf = (call: GraphqlCall) => call.variables.input as SetInput;
const ok = () => ({ data: { inventorySetQuantities: { userErrors: [] } } });

describe("stock to Shopify after a feed run", () => {
  it("writes the summed stock less the buffer, only where it changed, with a stable idempotency key", async () => {
    const shop = await shopifyShop();
    const east = await distributor(shop.id, "/east.csv");
    const west = await distributor(shop.id, "/west.csv");
    files.set(
      "/east.csv",
      `${HEADER}\nMUG-11,40,3.10,1,NJ\nMUG-11,12,3.10,1,CA\nLAMP-2,3,9.00,1,NJ\nRUG-9,7,4.00,1,\n`,
    );
    files.set("/west.csv", `${HEADER}\nMUG-11,5,3.20,3,\n`);
    await app.ctx.db.insert(dropshipProducts).values([
      // 40 + 12 at East, 5 at West, less a buffer of 2.
      {
        shopId: shop.id,
        sku: "MUG-11",
        pushStock: true,
        safetyBuffer: 2,
        cartInventoryItemId: "gid://shopify/InventoryItem/1",
      },
      // 3 in stock, buffer 5: never below 0.
      {
        shopId: shop.id,
        sku: "LAMP-2",
        pushStock: true,
        safetyBuffer: 5,
        cartInventoryItemId: "gid://shopify/InventoryItem/2",
        pushedStock: 4,
      },
      // The cart already shows 7.
      {
        shopId: shop.id,
        sku: "RUG-9",
        pushStock: true,
        safetyBuffer: 0,
        cartInventoryItemId: "gid://shopify/InventoryItem/3",
        pushedStock: 7,
      },
      // Not opted in: never written.
      {
        shopId: shop.id,
        sku: "SOCK-1",
        pushStock: false,
        cartInventoryItemId: "gid://shopify/InventoryItem/4",
      },
    ]);
    await runFeedNow(shop.id, west);

    const calls = mockShopifyAdmin(shop.domain, { OrderlaneSetStock: ok });
    const run = await runFeedNow(shop.id, east);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.query).toMatch(
      /inventorySetQuantities\(input: \$input\) @idempotent\(key: \$key\)/,
    );
    const input = inputOf(calls[0]!);
    expect(input).toMatchObject({ name: "available", reason: "correction" });
    expect(input.referenceDocumentUri).toContain(run.id);
    expect(input.quantities).toEqual([
      {
        inventoryItemId: "gid://shopify/InventoryItem/2",
        locationId: LOCATION,
        quantity: 0,
        changeFromQuantity: null,
      },
      {
        inventoryItemId: "gid://shopify/InventoryItem/1",
        locationId: LOCATION,
        quantity: 55,
        changeFromQuantity: null,
      },
    ]);
    const key = calls[0]!.variables.key as string;
    expect(key).toContain(run.id);
    const [stored] = await app.ctx.db.select().from(feedRuns).where(eq(feedRuns.id, run.id));
    expect(stored!.stockPush).toEqual({ written: 2, unchanged: 1, failed: 0, errors: [] });
    expect(await pushedStock(shop.id)).toEqual({
      "MUG-11": 55,
      "LAMP-2": 0,
      "RUG-9": 7,
      "SOCK-1": null,
    });

    // The same feed again: nothing changed, so Shopify is not called at all.
    const again = mockShopifyAdmin(shop.domain, { OrderlaneSetStock: ok });
    const second = await runFeedNow(shop.id, east);
    expect(again).toHaveLength(0);
    const [secondStored] = await app.ctx.db
      .select()
      .from(feedRuns)
      .where(eq(feedRuns.id, second.id));
    expect(secondStored!.stockPush).toEqual({ written: 0, unchanged: 3, failed: 0, errors: [] });
  });

  it("records what Shopify refuses, keeps the rest, and tries the refused ones again next run", async () => {
    const shop = await shopifyShop();
    const east = await distributor(shop.id, "/east.csv");
    files.set("/east.csv", `${HEADER}\nA-1,10,1,1,\nB-2,20,1,1,\nC-3,30,1,1,\n`);
    await app.ctx.db.insert(dropshipProducts).values(
      ["A-1", "B-2", "C-3"].map((sku, n) => ({
        shopId: shop.id,
        sku,
        pushStock: true,
        cartInventoryItemId: `gid://shopify/InventoryItem/${n + 10}`,
      })),
    );
    // First a refusal of the second quantity (Shopify names it by index), then the rest accepted.
    const calls = mockShopifyAdmin(shop.domain, {
      OrderlaneSetStock: (call) =>
        inputOf(call).quantities.length === 3
          ? {
              data: {
                inventorySetQuantities: {
                  userErrors: [
                    {
                      field: ["input", "quantities", "1", "inventoryItemId"],
                      message: "The specified inventory item could not be found.",
                      code: "INVALID_INVENTORY_ITEM",
                    },
                  ],
                },
              },
            }
          : ok(),
    });
    const run = await runFeedNow(shop.id, east);
    expect(calls.map((c) => inputOf(c).quantities.map((q) => q.quantity))).toEqual([
      [10, 20, 30],
      [10, 30],
    ]);
    // Another set of items is another operation: its own key.
    expect(calls[0]!.variables.key).not.toEqual(calls[1]!.variables.key);
    const [stored] = await app.ctx.db.select().from(feedRuns).where(eq(feedRuns.id, run.id));
    expect(stored!.stockPush).toEqual({
      written: 2,
      unchanged: 0,
      failed: 1,
      errors: ["B-2: The specified inventory item could not be found."],
    });
    expect(await pushedStock(shop.id)).toEqual({ "A-1": 10, "B-2": null, "C-3": 30 });

    // Shopify busy with the whole call: nothing advances; the same run retried sends the same key.
    const busy = mockShopifyAdmin(shop.domain, {
      OrderlaneSetStock: () => ({
        data: {
          inventorySetQuantities: {
            userErrors: [
              {
                field: null,
                message: "This request is currently in progress, please try again.",
                code: "IDEMPOTENCY_CONCURRENT_REQUEST",
              },
            ],
          },
        },
      }),
    });
    files.set("/east.csv", `${HEADER}\nA-1,11,1,1,\nB-2,20,1,1,\nC-3,30,1,1,\n`);
    const next = await runFeedNow(shop.id, east);
    await pushStockAfterRun(ctx(), next);
    expect(busy).toHaveLength(2);
    expect(busy[0]!.variables.key).toEqual(busy[1]!.variables.key);
    expect(busy[0]!.variables.key).not.toEqual(calls[0]!.variables.key);
    expect(inputOf(busy[0]!).quantities.map((q) => q.quantity)).toEqual([11, 20]);
    expect(await pushedStock(shop.id)).toEqual({ "A-1": 10, "B-2": null, "C-3": 30 });
    const [nextStored] = await app.ctx.db.select().from(feedRuns).where(eq(feedRuns.id, next.id));
    expect(nextStored!.stockPush).toMatchObject({ written: 0, unchanged: 1, failed: 2 });
  });

  it("splits a large push into calls of at most 250 quantities", async () => {
    const shop = await shopifyShop();
    const east = await distributor(shop.id, "/many.csv");
    const skus = Array.from({ length: 251 }, (_, n) => `SKU-${n}`);
    files.set("/many.csv", `${HEADER}\n${skus.map((s, n) => `${s},${n + 1},1,1,`).join("\n")}\n`);
    await app.ctx.db.insert(dropshipProducts).values(
      skus.map((sku, n) => ({
        shopId: shop.id,
        sku,
        pushStock: true,
        cartInventoryItemId: `gid://shopify/InventoryItem/${n + 100}`,
      })),
    );
    const calls = mockShopifyAdmin(shop.domain, { OrderlaneSetStock: ok });
    const run = await runFeedNow(shop.id, east);
    expect(calls.map((c) => inputOf(c).quantities.length)).toEqual([250, 1]);
    const [stored] = await app.ctx.db.select().from(feedRuns).where(eq(feedRuns.id, run.id));
    expect(stored!.stockPush).toMatchObject({ written: 251, failed: 0 });
  });

  it("writes nothing and says why when no location was chosen", async () => {
    const shop = await createShop(app.ctx.db);
    const east = await distributor(shop.id, "/east.csv");
    files.set("/east.csv", `${HEADER}\nA-1,10,1,1,\n`);
    await app.ctx.db.insert(dropshipProducts).values({
      shopId: shop.id,
      sku: "A-1",
      pushStock: true,
      cartInventoryItemId: "gid://shopify/InventoryItem/1",
    });
    const run = await runFeedNow(shop.id, east);
    const [stored] = await app.ctx.db.select().from(feedRuns).where(eq(feedRuns.id, run.id));
    expect(stored!.stockPush?.skipped).toMatch(/Choose the Shopify location/);
    expect(await pushedStock(shop.id)).toEqual({ "A-1": null });
  });
});

describe("stock to WooCommerce after a feed run", () => {
  async function wooShop() {
    const shop = await createShop(app.ctx.db, {
      platform: "woocommerce",
      domain: `stock-${randomBytes(4).toString("hex")}.example`,
    });
    await app.ctx.db
      .update(shops)
      .set({
        credentials: sealSecret(
          config.encryptionKey,
          JSON.stringify({ consumerKey: "ck_test", consumerSecret: "cs_test" }),
        ),
      })
      .where(eq(shops.id, shop.id));
    return shop;
  }

  it("updates products and variations in batches of 100, recording the items the store refused", async () => {
    const shop = await wooShop();
    const east = await distributor(shop.id, "/woo.csv");
    const simple = Array.from({ length: 101 }, (_, n) => `W-${n}`);
    files.set(
      "/woo.csv",
      `${HEADER}\n${simple.map((s, n) => `${s},${n + 3},1,1,`).join("\n")}\nZ-TEE-RED-M,8,1,1,\n`,
    );
    await app.ctx.db.insert(dropshipProducts).values([
      ...simple.map((sku, n) => ({
        shopId: shop.id,
        sku,
        pushStock: true,
        safetyBuffer: 1,
        cartProductId: String(500 + n),
      })),
      {
        shopId: shop.id,
        sku: "Z-TEE-RED-M",
        pushStock: true,
        cartProductId: "77",
        cartVariantId: "78",
      },
    ]);
    const bodies: {
      path: string;
      update: { id: number; stock_quantity: number; manage_stock: boolean }[];
    }[] = [];
    mswServer.use(
      http.post(`https://${shop.domain}/wp-json/wc/v3/products/batch`, async ({ request }) => {
        const body = (await request.json()) as (typeof bodies)[number];
        bodies.push({ ...body, path: "products/batch" });
        return HttpResponse.json({
          update: body.update.map((u) =>
            u.id === 500
              ? {
                  id: u.id,
                  error: {
                    code: "woocommerce_rest_product_invalid_id",
                    message: "Invalid ID.",
                    data: { status: 400 },
                  },
                }
              : { id: u.id, stock_quantity: u.stock_quantity, manage_stock: true },
          ),
        });
      }),
      http.post(
        `https://${shop.domain}/wp-json/wc/v3/products/77/variations/batch`,
        async ({ request }) => {
          const body = (await request.json()) as (typeof bodies)[number];
          bodies.push({ ...body, path: "products/77/variations/batch" });
          return HttpResponse.json({
            update: body.update.map((u) => ({ id: u.id, stock_quantity: u.stock_quantity })),
          });
        },
      ),
    );
    const run = await runFeedNow(shop.id, east);
    expect(bodies.map((b) => [b.path, b.update.length])).toEqual([
      ["products/batch", 100],
      ["products/batch", 1],
      ["products/77/variations/batch", 1],
    ]);
    expect(bodies[0]!.update[0]).toEqual({ id: 500, stock_quantity: 2, manage_stock: true });
    expect(bodies[2]!.update[0]).toEqual({ id: 78, stock_quantity: 8, manage_stock: true });
    const [stored] = await app.ctx.db.select().from(feedRuns).where(eq(feedRuns.id, run.id));
    expect(stored!.stockPush).toEqual({
      written: 101,
      unchanged: 0,
      failed: 1,
      errors: ["W-0: Invalid ID."],
    });
    const pushed = await pushedStock(shop.id);
    expect(pushed["W-0"]).toBeNull();
    expect(pushed["W-100"]).toBe(102);
    expect(pushed["Z-TEE-RED-M"]).toBe(8);
  });

  it("leaves stock to push again when the store does not answer", async () => {
    const shop = await wooShop();
    const east = await distributor(shop.id, "/woo.csv");
    files.set("/woo.csv", `${HEADER}\nW-1,5,1,1,\n`);
    await app.ctx.db
      .insert(dropshipProducts)
      .values({ shopId: shop.id, sku: "W-1", pushStock: true, cartProductId: "9" });
    mswServer.use(
      http.post(`https://${shop.domain}/wp-json/wc/v3/products/batch`, () =>
        HttpResponse.json(
          {
            code: "internal_server_error",
            message: "There has been a critical error on this website.",
          },
          { status: 503 },
        ),
      ),
    );
    const run = await runFeedNow(shop.id, east);
    const [stored] = await app.ctx.db.select().from(feedRuns).where(eq(feedRuns.id, run.id));
    expect(stored!.stockPush).toMatchObject({ written: 0, failed: 1 });
    expect(stored!.stockPush!.errors[0]).toMatch(/HTTP 503/);
    expect(await pushedStock(shop.id)).toEqual({ "W-1": null });
  });
});

describe("the owner's stock choices on the distributor page", () => {
  it("lists the products the distributor carries, saves the opt-in and buffer, and the Shopify location from the cart's list", async () => {
    const shop = await shopifyShop();
    await app.ctx.db
      .update(shops)
      .set({ settings: DEFAULT_SHOP_SETTINGS })
      .where(eq(shops.id, shop.id));
    const east = await distributor(shop.id, "/east.csv");
    files.set("/east.csv", `${HEADER}\nMUG-11,40,3.10,1,NJ\nMUG-11,12,3.10,1,CA\n`);
    await createOrder(app.ctx.db, shop, {}, [
      {
        sku: "MUG-11",
        title: "Enamel mug",
        cartProductId: "632910392",
        cartVariantId: "808950810",
      },
      { sku: "NOT-CARRIED", title: "Poster" },
    ]);
    await runFeedJob(ctx(), { shopId: shop.id, providerId: east, trigger: "owner" });
    const admin = mockShopifyAdmin(shop.domain, {
      OrderlaneLocations: () => ({
        data: {
          locations: {
            nodes: [
              { id: LOCATION, name: "Drop-ship stock", isActive: true },
              { id: "gid://shopify/Location/1", name: "Closed shop", isActive: false },
            ],
          },
        },
      }),
    });
    const host = Buffer.from(`admin.shopify.com/store/${shop.domain}`).toString("base64url");
    const token = shopifySessionToken(shop.domain);
    const page = `/app/settings/distributors/${east}?embedded=1&shop=${shop.domain}&host=${host}&id_token=${token}`;
    const html = await (await app.fetch(page, { headers: { "User-Agent": BROWSER } })).text();
    expect(html).toContain("Stock to your cart");
    expect(html).toContain("Enamel mug");
    expect(html).not.toContain("Poster");
    expect(html).toContain("Drop-ship stock");
    expect(html).not.toContain("Closed shop");
    expect(admin.some((c) => c.operation === "OrderlaneLocations")).toBe(true);

    const post = (fields: Record<string, string>) =>
      app.fetch(`/app/settings/distributors/${east}?embedded=1&shop=${shop.domain}&host=${host}`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "User-Agent": BROWSER },
        body: new URLSearchParams(fields),
      });
    const bad = await post({
      intent: "stock",
      sku: "MUG-11",
      pushStock: "true",
      safetyBuffer: "-3",
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("The buffer cannot be negative");
    expect(
      (await post({ intent: "stock", sku: "POSTER", pushStock: "true", safetyBuffer: "1" })).status,
    ).toBe(404);
    expect(
      (await post({ intent: "stock", sku: "MUG-11", pushStock: "true", safetyBuffer: "4" })).status,
    ).toBe(200);
    const [product] = await app.ctx.db
      .select()
      .from(dropshipProducts)
      .where(eq(dropshipProducts.shopId, shop.id));
    expect(product).toMatchObject({
      sku: "MUG-11",
      pushStock: true,
      safetyBuffer: 4,
      cartProductId: "632910392",
      cartVariantId: "808950810",
      cartInventoryItemId: null,
    });

    const refused = await post({ intent: "location", locationId: "gid://shopify/Location/1" });
    expect(refused.status).toBe(400);
    expect((await post({ intent: "location", locationId: LOCATION })).status).toBe(200);
    const [stored] = await app.ctx.db.select().from(shops).where(eq(shops.id, shop.id));
    expect(stored!.settings.dropshipStockLocationId).toBe(LOCATION);

    // The next run looks up the variant's inventory item, writes 52 - 4, and keeps the item's id.
    const calls = mockShopifyAdmin(shop.domain, {
      OrderlaneVariantInventoryItems: (call) => {
        expect(call.variables.ids).toEqual(["gid://shopify/ProductVariant/808950810"]);
        return {
          data: {
            nodes: [
              {
                id: "gid://shopify/ProductVariant/808950810",
                inventoryItem: { id: "gid://shopify/InventoryItem/49148385" },
              },
            ],
          },
        };
      },
      OrderlaneSetStock: ok,
    });
    await runFeedNow(shop.id, east);
    const set = calls.find((c) => c.operation === "OrderlaneSetStock")!;
    expect(inputOf(set).quantities).toEqual([
      {
        inventoryItemId: "gid://shopify/InventoryItem/49148385",
        locationId: LOCATION,
        quantity: 48,
        changeFromQuantity: null,
      },
    ]);
    const [after] = await app.ctx.db
      .select()
      .from(dropshipProducts)
      .where(eq(dropshipProducts.shopId, shop.id));
    expect(after).toMatchObject({
      pushedStock: 48,
      cartInventoryItemId: "gid://shopify/InventoryItem/49148385",
    });
  });
});
