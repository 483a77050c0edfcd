// Update Shipment and an item's own shipment change, through the JSON API as an integration uses
// them: what is stored, what goes to the cart (Shopify fulfillmentCreate, WooCommerce tracking and
// customer note, shaped as their docs show), and every refusal the issue lists.
import { and, eq } from "drizzle-orm";
import { http, HttpResponse } from "msw";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lineItems, orderEvents, providers, shipments, shops, submissions } from "~/db/schema";
import { sealSecret } from "~/security/encryption.server";
import { createApiToken } from "~/shops/api-tokens.server";
import type { Shop } from "~/shops/shops.server";
import { jobHandlers } from "~/jobs/worker.server";
import { closeVite, startTestApp, type TestApp } from "./support/app";
import { createOrder, createSession, createShop } from "./support/factories";
import { mswServer } from "./support/msw";
import { mockShopifyAdmin } from "./support/shopify-orders";
import { STARTUP_TIMEOUT_MS } from "./support/startup";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await app?.close();
  await closeVite();
});

/** Runs the queued tracking pushes as the worker does; returns how many ran. */
async function runTrackingPushes(): Promise<number> {
  const handler = jobHandlers(app.ctx)["push-tracking"];
  if (!handler) throw new Error("the worker has no push-tracking handler");
  let ran = 0;
  for (;;) {
    const jobs = await app.ctx.jobs.fetch("push-tracking", { batchSize: 10 });
    if (jobs.length === 0) return ran;
    for (const job of jobs) {
      await handler(job.data, { id: job.id, retryCount: job.retryCount, lastAttempt: false });
      await app.ctx.jobs.complete("push-tracking", job.id);
      ran++;
    }
  }
}

async function tokenFor(shop: Shop): Promise<string> {
  const created = await createApiToken(app.ctx.db, shop.id, { name: "Tests", createdBy: "Ava" });
  if (!created.ok) throw new Error("token not created");
  return created.token;
}

function call(token: string | null, method: string, path: string, body?: unknown) {
  const headers = new Headers({ "content-type": "application/json" });
  if (token) headers.set("authorization", `Bearer ${token}`);
  return app.fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function errorOf(res: Response) {
  return ((await res.json()) as { error: { code: string; message: string } }).error;
}

/** A Shopify shop with a paid order of two lines, not yet sent anywhere. */
async function shopifyOrder(overrides: Parameters<typeof createOrder>[2] = {}) {
  const shop = await createShop(app.ctx.db, { platform: "shopify" });
  await createSession(app.ctx.db, shop.domain);
  const order = await createOrder(app.ctx.db, shop, { cartOrderId: "450789469", ...overrides }, [
    {
      cartLineId: "1071823170",
      sku: "TEE-BLK-M",
      title: "Tee",
      quantity: 1,
      personalization: null,
    },
    { cartLineId: "1071823171", sku: "MUG-11OZ", title: "Mug", quantity: 2, personalization: null },
  ]);
  const items = await app.ctx.db
    .select()
    .from(lineItems)
    .where(eq(lineItems.orderId, order.id))
    .orderBy(lineItems.position);
  return { shop, order, tee: items[0]!, mug: items[1]!, token: await tokenFor(shop) };
}

/** Shopify's fulfillment orders for the order's two lines, both still to fulfil. */
const fulfillmentOrders = () => ({
  data: {
    order: {
      id: "gid://shopify/Order/450789469",
      fulfillmentOrders: {
        nodes: [
          {
            id: "gid://shopify/FulfillmentOrder/1046000778",
            status: "OPEN",
            lineItems: {
              nodes: [
                {
                  id: "gid://shopify/FulfillmentOrderLineItem/1",
                  remainingQuantity: 1,
                  lineItem: { id: "gid://shopify/LineItem/1071823170" },
                },
                {
                  id: "gid://shopify/FulfillmentOrderLineItem/2",
                  remainingQuantity: 2,
                  lineItem: { id: "gid://shopify/LineItem/1071823171" },
                },
              ],
            },
          },
        ],
      },
    },
  },
});

const fulfillmentCreated = () => ({
  data: {
    fulfillmentCreate: {
      fulfillment: { id: "gid://shopify/Fulfillment/255858046", status: "SUCCESS" },
      userErrors: [],
    },
  },
});

describe("Update Shipment", () => {
  it("items that ship by two methods get a parcel each, and each tracking reaches Shopify for its own lines", async () => {
    const { shop, order, tee, mug, token } = await shopifyOrder();
    const calls = mockShopifyAdmin(shop.domain, {
      OrderlaneFulfillmentOrders: fulfillmentOrders,
      OrderlaneFulfillmentCreate: fulfillmentCreated,
      OrderlaneOrder: () => ({ data: { order: null } }),
    });

    const first = await call(token, "POST", `/api/v1/orders/${order.id}/shipments`, {
      lineIds: [tee.id],
      shipmentMethod: "Express",
      trackingNumber: "1ZEXPRESS01",
    });
    expect(first.status).toBe(200);
    const second = await call(token, "POST", `/api/v1/orders/${order.id}/shipments`, {
      lineIds: [mug.id],
      shipmentMethod: "Standard",
      trackingNumber: "1ZSTANDARD2",
    });
    expect(second.status).toBe(200);

    const parcels = await app.ctx.db
      .select()
      .from(shipments)
      .where(eq(shipments.orderId, order.id))
      .orderBy(shipments.createdAt);
    expect(parcels.map((p) => [p.shipmentMethod, p.trackingNumber, p.items])).toEqual([
      ["Express", "1ZEXPRESS01", [{ lineItemId: tee.id, quantity: 1 }]],
      ["Standard", "1ZSTANDARD2", [{ lineItemId: mug.id, quantity: 2 }]],
    ]);

    expect(await runTrackingPushes()).toBeGreaterThanOrEqual(2);
    const creates = calls.filter((c) => c.operation === "OrderlaneFulfillmentCreate");
    // The two pushes are separate jobs and may run in either order.
    const byTracking = (c: (typeof creates)[number]) =>
      JSON.stringify((c.variables.fulfillment as { trackingInfo: unknown }).trackingInfo);
    creates.sort((a, b) => byTracking(a).localeCompare(byTracking(b)));
    expect(creates.map((c) => c.variables.fulfillment)).toEqual([
      {
        lineItemsByFulfillmentOrder: [
          {
            fulfillmentOrderId: "gid://shopify/FulfillmentOrder/1046000778",
            fulfillmentOrderLineItems: [
              { id: "gid://shopify/FulfillmentOrderLineItem/1", quantity: 1 },
            ],
          },
        ],
        notifyCustomer: true,
        trackingInfo: { number: "1ZEXPRESS01" },
      },
      {
        lineItemsByFulfillmentOrder: [
          {
            fulfillmentOrderId: "gid://shopify/FulfillmentOrder/1046000778",
            fulfillmentOrderLineItems: [
              { id: "gid://shopify/FulfillmentOrderLineItem/2", quantity: 2 },
            ],
          },
        ],
        notifyCustomer: true,
        trackingInfo: { number: "1ZSTANDARD2" },
      },
    ]);
    const pushed = await app.ctx.db.select().from(shipments).where(eq(shipments.orderId, order.id));
    expect(pushed.every((p) => p.pushedToCartAt !== null)).toBe(true);

    const got = await call(token, "GET", `/api/v1/orders/${order.id}`);
    const { order: shown } = (await got.json()) as {
      order: { items: { deliveryState: string; shipmentMethod: string; trackingNumber: string }[] };
    };
    expect(shown.items.map((i) => [i.deliveryState, i.shipmentMethod, i.trackingNumber])).toEqual([
      ["shipped", "Express", "1ZEXPRESS01"],
      ["shipped", "Standard", "1ZSTANDARD2"],
    ]);
    const events = await app.ctx.db
      .select()
      .from(orderEvents)
      .where(and(eq(orderEvents.orderId, order.id), eq(orderEvents.action, "update_shipment")));
    expect(events.map((e) => [e.actor, e.actorName, e.message]).sort()).toEqual([
      ["owner", 'API token "Tests"', "Mug: ship by Standard, tracking 1ZSTANDARD2, shipped"],
      ["owner", 'API token "Tests"', "Tee: ship by Express, tracking 1ZEXPRESS01, shipped"],
    ]);
  });

  it("without a tracking number sets the method on all items and sends nothing to the cart", async () => {
    const { shop, order, token } = await shopifyOrder();
    const calls = mockShopifyAdmin(shop.domain, {});
    const res = await call(token, "POST", `/api/v1/orders/${order.id}/shipments`, {
      lineIds: "all",
      shipmentMethod: "Priority",
    });
    expect(res.status).toBe(200);
    const items = await app.ctx.db.select().from(lineItems).where(eq(lineItems.orderId, order.id));
    expect(items.map((i) => [i.shipmentMethod, i.deliveryState])).toEqual([
      ["Priority", "pending"],
      ["Priority", "pending"],
    ]);
    expect(
      await app.ctx.db.select().from(shipments).where(eq(shipments.orderId, order.id)),
    ).toEqual([]);
    expect(calls).toEqual([]);
  });

  it("a WooCommerce parcel goes to the store as Shipment Tracking and a note the customer is emailed", async () => {
    const created = await createShop(app.ctx.db, {
      platform: "woocommerce",
      domain: "mugs.example",
    });
    await app.ctx.db
      .update(shops)
      .set({
        credentials: sealSecret(
          app.ctx.config.encryptionKey,
          JSON.stringify({ consumerKey: "ck_test", consumerSecret: "cs_test" }),
        ),
      })
      .where(eq(shops.id, created.id));
    const order = await createOrder(app.ctx.db, created, { cartOrderId: "727" }, [
      { cartLineId: "315", title: "Mug", quantity: 1, personalization: null },
      { cartLineId: "316", title: "Tee", quantity: 1, personalization: null },
    ]);
    const [mug] = await app.ctx.db
      .select()
      .from(lineItems)
      .where(and(eq(lineItems.orderId, order.id), eq(lineItems.cartLineId, "315")));
    const base = "https://mugs.example/wp-json";
    const posted: { path: string; body: unknown }[] = [];
    mswServer.use(
      http.get(`${base}/wc/v3/orders/727/notes`, () => HttpResponse.json([])),
      http.post(
        `${base}/wc-shipment-tracking/v3/orders/727/shipment-trackings`,
        async ({ request }) => {
          posted.push({ path: "shipment-trackings", body: await request.json() });
          return HttpResponse.json(
            { tracking_id: "b1", tracking_number: "LX123" },
            { status: 201 },
          );
        },
      ),
      http.post(`${base}/wc/v3/orders/727/notes`, async ({ request }) => {
        posted.push({ path: "notes", body: await request.json() });
        return HttpResponse.json({ id: 281, customer_note: true }, { status: 201 });
      }),
      http.put(`${base}/wc/v3/orders/727`, () =>
        HttpResponse.json(
          { message: "must not complete: an item is still to ship" },
          { status: 500 },
        ),
      ),
    );
    const res = await call(
      await tokenFor(created),
      "POST",
      `/api/v1/orders/${order.id}/shipments`,
      {
        lineIds: [mug!.id],
        shipmentMethod: "Express",
        trackingNumber: "LX123",
      },
    );
    expect(res.status).toBe(200);
    await runTrackingPushes();
    expect(posted).toEqual([
      {
        path: "shipment-trackings",
        body: {
          custom_tracking_provider: "Carrier",
          tracking_number: "LX123",
          custom_tracking_link: "",
        },
      },
      {
        path: "notes",
        body: {
          note: "Your order has shipped with our carrier. Tracking number LX123",
          customer_note: true,
        },
      },
    ]);
  });
});

describe("after Update Shipment", () => {
  it("Submit sends only the items the owner did not ship themselves", async () => {
    const { shop, order, tee, mug, token } = await shopifyOrder();
    mockShopifyAdmin(shop.domain, {});
    const [provider] = await app.ctx.db
      .insert(providers)
      .values({
        shopId: shop.id,
        kind: "sandbox",
        name: "Sandbox",
        endpoint: "http://127.0.0.1:9",
        isDefault: true,
      })
      .returning();
    const shipped = await call(token, "POST", `/api/v1/orders/${order.id}/shipments`, {
      lineIds: [tee.id],
      shipmentMethod: "Express",
      trackingNumber: "1ZOWN",
    });
    expect(shipped.status).toBe(200);
    const submitted = await call(token, "POST", `/api/v1/orders/${order.id}/submit`);
    expect(submitted.status).toBe(200);
    const items = await app.ctx.db.select().from(lineItems).where(eq(lineItems.orderId, order.id));
    const byId = new Map(items.map((i) => [i.id, i]));
    expect(byId.get(tee.id)!.providerId).toBeNull();
    expect(byId.get(mug.id)!.providerId).toBe(provider!.id);
  });
});

describe("an item's own change", () => {
  it("sets the delivery state and method of one item", async () => {
    const { order, tee, mug, token } = await shopifyOrder();
    const res = await call(token, "PATCH", `/api/v1/orders/${order.id}/items/${tee.id}`, {
      deliveryState: "processing",
      shipmentMethod: "Express",
    });
    expect(res.status).toBe(200);
    const items = await app.ctx.db.select().from(lineItems).where(eq(lineItems.orderId, order.id));
    const byId = new Map(items.map((i) => [i.id, i]));
    expect(byId.get(tee.id)).toMatchObject({
      deliveryState: "processing",
      shipmentMethod: "Express",
    });
    expect(byId.get(mug.id)).toMatchObject({ deliveryState: "pending", shipmentMethod: null });
  });

  it("a tracking number for an item without a method is refused until one is chosen", async () => {
    const { order, tee, token } = await shopifyOrder();
    const res = await call(token, "PATCH", `/api/v1/orders/${order.id}/items/${tee.id}`, {
      trackingNumber: "1Z1",
    });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toMatch(/shipment method/);
    expect(
      await app.ctx.db.select().from(shipments).where(eq(shipments.orderId, order.id)),
    ).toEqual([]);
  });
});

describe("refusals", () => {
  it("an order the cart has on hold: 409 with the reason, nothing stored", async () => {
    const { order, tee, token } = await shopifyOrder({ cartStatus: "on_hold", state: "on_hold" });
    const res = await call(token, "POST", `/api/v1/orders/${order.id}/shipments`, {
      lineIds: "all",
      shipmentMethod: "Express",
      trackingNumber: "1ZHOLD",
    });
    expect(res.status).toBe(409);
    expect((await errorOf(res)).message).toBe(
      "The cart has this order on hold; release it before changing its shipment.",
    );
    const patch = await call(token, "PATCH", `/api/v1/orders/${order.id}/items/${tee.id}`, {
      deliveryState: "delivered",
    });
    expect(patch.status).toBe(409);
    const [item] = await app.ctx.db.select().from(lineItems).where(eq(lineItems.id, tee.id));
    expect(item).toMatchObject({ deliveryState: "pending", shipmentMethod: null });
  });

  it("an order already sent to its provider: 409, its shipment comes from the provider", async () => {
    const { shop, order, token } = await shopifyOrder({ state: "open" });
    const [provider] = await app.ctx.db
      .insert(providers)
      .values({ shopId: shop.id, kind: "sandbox", name: "Sandbox", endpoint: "http://127.0.0.1:9" })
      .returning();
    await app.ctx.db.insert(submissions).values({
      shopId: shop.id,
      orderId: order.id,
      providerId: provider!.id,
      poNumber: `OL-${order.id.slice(0, 8)}`,
      idempotencyKey: `ol_${order.id}`,
      state: "submitted",
    });
    const res = await call(token, "POST", `/api/v1/orders/${order.id}/shipments`, {
      lineIds: "all",
      shipmentMethod: "Express",
    });
    expect(res.status).toBe(409);
    expect((await errorOf(res)).message).toMatch(/already sent to providers/);
  });

  it("items of another order: 404, and nothing changes on either order", async () => {
    const { order, token, shop } = await shopifyOrder();
    const other = await createOrder(app.ctx.db, shop, {}, [{ title: "Other" }]);
    const [otherItem] = await app.ctx.db
      .select()
      .from(lineItems)
      .where(eq(lineItems.orderId, other.id));
    const res = await call(token, "POST", `/api/v1/orders/${order.id}/shipments`, {
      lineIds: [otherItem!.id],
      shipmentMethod: "Express",
    });
    expect(res.status).toBe(404);
    const patch = await call(token, "PATCH", `/api/v1/orders/${order.id}/items/${otherItem!.id}`, {
      shipmentMethod: "Express",
    });
    expect(patch.status).toBe(404);
    const [after] = await app.ctx.db
      .select()
      .from(lineItems)
      .where(eq(lineItems.id, otherItem!.id));
    expect(after!.shipmentMethod).toBeNull();
  });

  it("another shop's order is 404 and a missing token 401", async () => {
    const mine = await shopifyOrder();
    const theirs = await shopifyOrder();
    const body = { lineIds: "all", shipmentMethod: "Express" };
    const res = await call(mine.token, "POST", `/api/v1/orders/${theirs.order.id}/shipments`, body);
    expect(res.status).toBe(404);
    const patch = await call(
      mine.token,
      "PATCH",
      `/api/v1/orders/${theirs.order.id}/items/${theirs.tee.id}`,
      { deliveryState: "delivered" },
    );
    expect(patch.status).toBe(404);
    expect(
      (await call(null, "POST", `/api/v1/orders/${mine.order.id}/shipments`, body)).status,
    ).toBe(401);
    expect(
      (await call(null, "PATCH", `/api/v1/orders/${mine.order.id}/items/${mine.tee.id}`, body))
        .status,
    ).toBe(401);
    const items = await app.ctx.db
      .select()
      .from(lineItems)
      .where(eq(lineItems.orderId, theirs.order.id));
    expect(items.every((i) => i.shipmentMethod === null && i.deliveryState === "pending")).toBe(
      true,
    );
  });

  it("bad input is 400 with the reason: a method the shop does not have, an unknown delivery state, no items, nothing to change", async () => {
    const { order, tee, token } = await shopifyOrder();
    const cases: [string, string, unknown, RegExp][] = [
      [
        "POST",
        "shipments",
        { lineIds: "all", shipmentMethod: "Teleport" },
        /not one of the shop's shipment methods/,
      ],
      ["POST", "shipments", { lineIds: [], shipmentMethod: "Express" }, /at least one item/],
      ["POST", "shipments", { lineIds: "all" }, /.+/],
      [
        "POST",
        "shipments",
        { lineIds: "all", shipmentMethod: "Express", trackingNumber: "  " },
        /tracking number/i,
      ],
      ["PATCH", `items/${tee.id}`, { deliveryState: "lost" }, /.+/],
      ["PATCH", `items/${tee.id}`, {}, /Say what to change/],
      ["PATCH", `items/${tee.id}`, { colour: "red" }, /.+/],
    ];
    for (const [method, path, body, reason] of cases) {
      const res = await call(token, method, `/api/v1/orders/${order.id}/${path}`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await errorOf(res)).message).toMatch(reason);
    }
    const items = await app.ctx.db.select().from(lineItems).where(eq(lineItems.orderId, order.id));
    expect(items.every((i) => i.shipmentMethod === null && i.deliveryState === "pending")).toBe(
      true,
    );
  });

  it("a tracking number already on another parcel of the order: 409", async () => {
    const { shop, order, tee, mug, token } = await shopifyOrder();
    mockShopifyAdmin(shop.domain, {});
    const once = await call(token, "POST", `/api/v1/orders/${order.id}/shipments`, {
      lineIds: [tee.id],
      shipmentMethod: "Express",
      trackingNumber: "1ZSAME",
    });
    expect(once.status).toBe(200);
    const again = await call(token, "POST", `/api/v1/orders/${order.id}/shipments`, {
      lineIds: [mug.id],
      shipmentMethod: "Standard",
      trackingNumber: "1ZSAME",
    });
    expect(again.status).toBe(409);
    const [after] = await app.ctx.db.select().from(lineItems).where(eq(lineItems.id, mug.id));
    expect(after).toMatchObject({ shipmentMethod: null, deliveryState: "pending" });
  });
});
