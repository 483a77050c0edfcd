// A line may carry the same personalisation name several times (a bundle with an "Initials" per
// piece): every value arrives, in the cart's order, through both carts' webhooks, and is shown on
// the order page and answered by the API. Rows stored before options became a list read the same.
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signWooBody } from "~/carts/woocommerce/delivery.server";
import { wooOrder } from "~/carts/woocommerce/test-fixtures";
import { lineItems, orders, shops } from "~/db/schema";
import { DEFAULT_DEMO_SHOPIFY_SHOP, DEMO_WOO_DOMAIN } from "~/demo/constants";
import { sealSecret } from "~/security/encryption.server";
import { ensureShop, type Shop } from "~/shops/shops.server";
import { closeVite, drainQueue, shopifyWebhook, startTestApp, type TestApp } from "./support/app";
import { createOrder } from "./support/factories";
import { shopifyJson, webhookOrder } from "./support/shopify-orders";
import { STARTUP_TIMEOUT_MS } from "./support/startup";

const DEMO_TOKEN = "repeated-options-token";
const WOO_SECRET = "whsec-repeated-1";

let app: TestApp;
let shopify: Shop;
let woo: Shop;

beforeAll(async () => {
  // The demo serves its Shopify and WooCommerce shops without sign-in, so their pages and API can
  // be read as an owner and an integration would.
  app = await startTestApp({ demo: true, env: { DEMO_API_TOKEN: DEMO_TOKEN } });
  shopify = await ensureShop(app.ctx.db, {
    platform: "shopify",
    domain: DEFAULT_DEMO_SHOPIFY_SHOP,
    name: "Bundles",
  });
  const created = await ensureShop(app.ctx.db, {
    platform: "woocommerce",
    domain: DEMO_WOO_DOMAIN,
    name: "Woo bundles",
  });
  const credentials = sealSecret(
    app.ctx.config.encryptionKey,
    JSON.stringify({ consumerKey: "ck_1", consumerSecret: "cs_1", webhookSecret: WOO_SECRET }),
  );
  [woo] = (await app.ctx.db
    .update(shops)
    .set({ credentials })
    .where(eq(shops.id, created.id))
    .returning()) as [Shop];
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await app?.close();
  await closeVite();
});

const INITIALS = [
  { name: "Initials", value: "AMO" },
  { name: "Initials", value: "BEX" },
  { name: "Colour", value: "Rose gold" },
  { name: "Initials", value: "CAL" },
];

async function storedOrder(shop: Shop, cartOrderId: string) {
  const [order] = await app.ctx.db
    .select()
    .from(orders)
    .where(and(eq(orders.shopId, shop.id), eq(orders.cartOrderId, cartOrderId)));
  expect(order).toBeDefined();
  return order!;
}

async function optionsOf(orderId: string, cartLineId: string) {
  const [line] = await app.ctx.db
    .select()
    .from(lineItems)
    .where(and(eq(lineItems.orderId, orderId), eq(lineItems.cartLineId, cartLineId)));
  return line?.personalization?.options;
}

/** The order page's option list for an item: each name and value, top to bottom. */
async function optionsOnPage(shop: Shop, orderId: string): Promise<string[]> {
  const res = await app.fetch(`/app/orders/${orderId}?shop=${shop.domain}`);
  expect(res.status).toBe(200);
  const html = await res.text();
  const list = /<dl[^>]*>([\s\S]*?)<\/dl>/.exec(html)?.[1] ?? "";
  return [...list.matchAll(/<(?:dt|dd)[^>]*>([\s\S]*?)<\/(?:dt|dd)>/g)].map((m) =>
    m[1]!.replace(/<[^>]*>/g, "").trim(),
  );
}

async function optionsInApi(shop: Shop, orderId: string, cartLineId: string) {
  const res = await app.fetch(`/api/v1/orders/${orderId}?shop=${shop.domain}`, {
    headers: { authorization: `Bearer ${DEMO_TOKEN}` },
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as {
    order: { items: { cartLineId: string; personalization: { options: unknown } | null }[] };
  };
  return body.order.items.find((i) => i.cartLineId === cartLineId)?.personalization?.options;
}

const asPage = INITIALS.flatMap((o) => [o.name, o.value]);

describe("a personalisation name the cart repeats on one line", () => {
  it("Shopify: three Initials properties are all stored, shown and answered, in order", async () => {
    const payload = webhookOrder({
      lineItems: [
        {
          id: 7001,
          sku: "BUNDLE-3",
          title: "Initial charm bundle",
          variant_title: "Set of 3",
          quantity: 1,
          price: "45.00",
          product_id: 8801,
          variant_id: 8802,
          properties: [
            ...INITIALS.map((o) => ({ name: o.name, value: o.value })),
            { name: "_design", value: "https://cdn.example.com/designs/bundle.png" },
          ],
        },
      ],
    });
    const res = await app.fetch(
      "/webhooks/shopify",
      shopifyWebhook("orders/create", shopify.domain, null, { rawBody: shopifyJson(payload) }),
    );
    expect(res.status).toBe(200);
    await drainQueue(app.ctx, "process-webhook");

    const order = await storedOrder(shopify, String(payload.id));
    expect(await optionsOf(order.id, "7001")).toEqual(INITIALS);
    expect(await optionsOnPage(shopify, order.id)).toEqual(asPage);
    expect(await optionsInApi(shopify, order.id, "7001")).toEqual(INITIALS);
  });

  it("WooCommerce: meta_data with repeated keys keeps every value, in order", async () => {
    const [line] = wooOrder({ id: 1 }).line_items as Record<string, unknown>[];
    const payload = wooOrder({
      id: 9311,
      lineItems: [
        {
          ...line,
          id: 8312,
          meta_data: INITIALS.map((o, i) => ({
            id: 5000 + i,
            key: o.name,
            value: o.value,
            display_key: o.name,
            display_value: o.value,
          })),
        },
      ],
    });
    const body = JSON.stringify(payload);
    const res = await app.fetch(`/webhooks/woocommerce/${woo.id}`, {
      method: "POST",
      body,
      headers: {
        "Content-Type": "application/json",
        "X-WC-Webhook-Source": "https://store.example/",
        "X-WC-Webhook-Topic": "order.created",
        "X-WC-Webhook-Resource": "order",
        "X-WC-Webhook-Event": "created",
        "X-WC-Webhook-ID": "41",
        "X-WC-Webhook-Delivery-ID": "repeated-keys-1",
        "X-WC-Webhook-Signature": signWooBody(body, WOO_SECRET),
      },
    });
    expect(res.status).toBe(200);
    await drainQueue(app.ctx, "process-webhook");

    const order = await storedOrder(woo, "9311");
    expect(await optionsOf(order.id, "8312")).toEqual(INITIALS);
    expect(await optionsOnPage(woo, order.id)).toEqual(asPage);
    expect(await optionsInApi(woo, order.id, "8312")).toEqual(INITIALS);
  });

  it("a line stored before options became a list is read as the list, on the page and in the API", async () => {
    const order = await createOrder(app.ctx.db, shopify, {}, [{ title: "Name Necklace" }]);
    // The old shape, one value per name, written as it was stored then.
    await app.ctx.db.execute(
      sql`update ${lineItems} set personalization = ${JSON.stringify({
        designUrl: "https://cdn.example.com/designs/old.png",
        options: { Name: "Ana", Font: "Script" },
      })}::jsonb where order_id = ${order.id}`,
    );
    // In the order jsonb keeps an object's keys (shorter first, then by bytes), as shown before.
    const expected = [
      { name: "Font", value: "Script" },
      { name: "Name", value: "Ana" },
    ];
    expect(await optionsOf(order.id, "1")).toEqual(expected);
    expect(await optionsOnPage(shopify, order.id)).toEqual(["Font", "Script", "Name", "Ana"]);
    expect(await optionsInApi(shopify, order.id, "1")).toEqual(expected);
  });
});
