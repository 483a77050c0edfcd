// Places and addresses as the owner's country writes them, whichever cart sent the order and
// however it spelt the country: the catalog's place column, the order page's addresses, a
// WooCommerce update that sends the country's code, and Edit's country chosen from a list.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signWooBody } from "~/carts/woocommerce/delivery.server";
import { wooOrder } from "~/carts/woocommerce/test-fixtures";
import { orderEvents, orders, shops } from "~/db/schema";
import { DEFAULT_DEMO_SHOPIFY_SHOP, DEMO_SHOP_DOMAIN, DEMO_WOO_DOMAIN } from "~/demo/constants";
import { sealSecret } from "~/security/encryption.server";
import { ensureShop, type Shop } from "~/shops/shops.server";
import { closeVite, drainQueue, shopifyWebhook, startTestApp, type TestApp } from "./support/app";
import { createOrder } from "./support/factories";
import { shopifyJson, webhookOrder } from "./support/shopify-orders";
import { STARTUP_TIMEOUT_MS } from "./support/startup";

const WOO_SECRET = "whsec-addresses-1";

let app: TestApp;
let demo: Shop;
let shopify: Shop;
let woo: Shop;

beforeAll(async () => {
  // The demo serves all three kinds of shop without sign-in: each page is read as its owner would.
  app = await startTestApp({ demo: true });
  demo = await ensureShop(app.ctx.db, { platform: "demo", domain: DEMO_SHOP_DOMAIN, name: "Demo" });
  shopify = await ensureShop(app.ctx.db, {
    platform: "shopify",
    domain: DEFAULT_DEMO_SHOPIFY_SHOP,
    name: "Shopify shop",
  });
  const created = await ensureShop(app.ctx.db, {
    platform: "woocommerce",
    domain: DEMO_WOO_DOMAIN,
    name: "Woo shop",
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

let deliveries = 0;
async function wooDelivery(topic: "order.created" | "order.updated", payload: unknown) {
  const body = JSON.stringify(payload);
  const res = await app.fetch(`/webhooks/woocommerce/${woo.id}`, {
    method: "POST",
    body,
    headers: {
      "Content-Type": "application/json",
      "X-WC-Webhook-Source": "https://store.example/",
      "X-WC-Webhook-Topic": topic,
      "X-WC-Webhook-Resource": "order",
      "X-WC-Webhook-Event": topic.split(".")[1]!,
      "X-WC-Webhook-ID": "41",
      "X-WC-Webhook-Delivery-ID": `addresses-${++deliveries}`,
      "X-WC-Webhook-Signature": signWooBody(body, WOO_SECRET),
    },
  });
  expect(res.status).toBe(200);
  await drainQueue(app.ctx, "process-webhook");
}

async function storedOrder(shop: Shop, cartOrderId: string) {
  const [order] = await app.ctx.db
    .select()
    .from(orders)
    .where(and(eq(orders.shopId, shop.id), eq(orders.cartOrderId, cartOrderId)));
  expect(order).toBeDefined();
  return order!;
}

/** The text of a page, tags dropped, as the owner reads it. */
async function pageText(path: string): Promise<string> {
  const res = await app.fetch(path);
  expect(res.status).toBe(200);
  const html = await res.text();
  const body = html.slice(html.indexOf("<body"));
  return body
    .replace(/<script[\s\S]*?<\/script>/g, "")
    .replace(/<\/(p|li|div|td|th|dd|dt)>/g, "\n")
    .replace(/<[^>]*>/g, " ")
    .replace(/&amp;/g, "&")
    .replace(/[ \t]+/g, " ");
}

const wooAddress = (city: string, state: string, postcode: string, country: string) => ({
  first_name: "Maya",
  last_name: "Okafor",
  company: "",
  address_1: "401 Pine St",
  address_2: "",
  city,
  state,
  postcode,
  country,
});

describe("the catalog's place column", () => {
  it("reads 'City, Region, Country' in full names for Shopify, WooCommerce and demo orders alike", async () => {
    // Shopify sends names and codes; WooCommerce only codes; older rows hold whatever was stored.
    const payload = {
      ...webhookOrder(),
      shipping_address: {
        first_name: "Mia",
        last_name: "Okafor",
        name: "Mia Okafor",
        address1: "12 Alder St",
        city: "Portland",
        province: "Oregon",
        province_code: "OR",
        zip: "97205",
        country: "United States",
        country_code: "US",
      },
    };
    const res = await app.fetch(
      "/webhooks/shopify",
      shopifyWebhook("orders/create", shopify.domain, null, { rawBody: shopifyJson(payload) }),
    );
    expect(res.status).toBe(200);
    await drainQueue(app.ctx, "process-webhook");
    await wooDelivery(
      "order.created",
      wooOrder({ id: 7101, shipping: wooAddress("Portland", "OR", "97205", "US") }),
    );
    // A demo order stored with codes, as orders were before places were named.
    await createOrder(app.ctx.db, demo, {
      customerCity: "Leeds",
      customerProvince: "West Yorkshire",
      customerCountry: "GB",
    });

    const shopifyCatalog = await pageText(`/app?shop=${shopify.domain}`);
    const wooCatalog = await pageText(`/app?shop=${woo.domain}`);
    const demoCatalog = await pageText(`/app?shop=${demo.domain}`);
    expect(shopifyCatalog).toContain("Portland, Oregon, United States");
    expect(wooCatalog).toContain("Portland, Oregon, United States");
    expect(demoCatalog).toContain("Leeds, West Yorkshire, United Kingdom");
    for (const text of [shopifyCatalog, wooCatalog, demoCatalog]) {
      expect(text).not.toMatch(/, (OR|US|GB)\b/);
    }
  });
});

describe("the order page's addresses", () => {
  it("writes a US address with the state and ZIP after the city, and the country in full", async () => {
    await wooDelivery(
      "order.created",
      wooOrder({ id: 7102, shipping: wooAddress("Seattle", "WA", "98101", "US") }),
    );
    const order = await storedOrder(woo, "7102");
    const text = await pageText(`/app/orders/${order.id}?shop=${woo.domain}`);
    expect(text).toContain("Seattle, WA 98101");
    expect(text).toContain("United States");
    expect(text).not.toContain("98101 Seattle");
  });

  it("writes a UK address with the post town and postcode on their own lines", async () => {
    await wooDelivery(
      "order.created",
      wooOrder({ id: 7103, shipping: wooAddress("Leeds", "", "LS1 6BY", "GB") }),
    );
    const order = await storedOrder(woo, "7103");
    const text = await pageText(`/app/orders/${order.id}?shop=${woo.domain}`);
    expect(text).toMatch(/401 Pine St\s*\n\s*Leeds\s*\n\s*LS1 6BY\s*\n\s*United Kingdom/);
  });
});

describe("a WooCommerce update of an order", () => {
  it("keeps the country's name when the store sends its code again", async () => {
    const created = wooOrder({ id: 7104, shipping: wooAddress("Leeds", "", "LS1 6BY", "GB") });
    await wooDelivery("order.created", created);
    const before = await storedOrder(woo, "7104");
    expect(before.shippingAddress).toMatchObject({ country: "United Kingdom", countryCode: "GB" });
    expect(before.customerCountry).toBe("United Kingdom");

    await wooDelivery("order.updated", {
      ...created,
      status: "on-hold",
      date_modified_gmt: "2026-11-21T09:00:00",
    });
    const after = await storedOrder(woo, "7104");
    expect(after.cartStatus).toBe("on_hold");
    expect(after.shippingAddress).toMatchObject({ country: "United Kingdom", countryCode: "GB" });
    expect(after.customerCountry).toBe("United Kingdom");
    const events = await app.ctx.db
      .select()
      .from(orderEvents)
      .where(eq(orderEvents.orderId, after.id));
    expect(events.map((e) => e.message ?? "").join("\n")).not.toContain("address");
  });
});

describe("Edit's country", () => {
  async function edit(orderId: string, countryCode: string) {
    return app.fetch(`/app/orders/${orderId}?shop=${demo.domain}`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        intent: "action",
        action: "edit",
        input: JSON.stringify({
          shippingAddress: {
            name: "Ava Lindqvist",
            address1: "Hauptstr. 5",
            city: "Berlin",
            zip: "10115",
            countryCode,
          },
        }),
      }).toString(),
    });
  }

  it("stores the chosen code with its name, and refuses a code that is not a country", async () => {
    const order = await createOrder(app.ctx.db, demo);
    const refused = await edit(order.id, "XX");
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("Choose the country from the list");
    expect((await storedOrder(demo, order.cartOrderId)).shippingAddress?.city).toBe("Portland");

    const saved = await edit(order.id, "DE");
    expect(saved.status).toBe(200);
    const after = await storedOrder(demo, order.cartOrderId);
    expect(after.shippingAddress).toMatchObject({ countryCode: "DE", country: "Germany" });
    expect(after.customerCountry).toBe("Germany");
    const text = await pageText(`/app/orders/${order.id}?shop=${demo.domain}`);
    expect(text).toContain("10115 Berlin");
  });
});
