import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  lineItems,
  orderEvents,
  orders,
  providers,
  shops,
  submissions,
  webhookReceipts,
} from "~/db/schema";
import { closeVite, drainQueue, shopifyWebhook, startTestApp, type TestApp } from "./support/app";
import { createSession, createShop } from "./support/factories";
import {
  graphqlOrderWithLines,
  mockShopifyAdmin,
  shopifyJson,
  webhookOrder,
} from "./support/shopify-orders";
import { STARTUP_TIMEOUT_MS } from "./support/startup";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await app?.close();
  await closeVite();
});

const post = (init: RequestInit) => app.fetch("/webhooks/shopify", init);

function deliver(
  topic: string,
  domain: string,
  payload: Record<string, unknown>,
  options: { webhookId?: string } = {},
) {
  return post(shopifyWebhook(topic, domain, null, { rawBody: shopifyJson(payload), ...options }));
}

async function orderByCartId(shopId: string, cartOrderId: string) {
  const [order] = await app.ctx.db
    .select()
    .from(orders)
    .where(and(eq(orders.shopId, shopId), eq(orders.cartOrderId, cartOrderId)));
  return order;
}

async function receiptsFor(domain: string) {
  return app.ctx.db.select().from(webhookReceipts).where(eq(webhookReceipts.shopDomain, domain));
}

async function timeline(orderId: string) {
  return app.ctx.db
    .select()
    .from(orderEvents)
    .where(eq(orderEvents.orderId, orderId))
    .orderBy(asc(orderEvents.createdAt));
}

describe("Shopify order webhooks", () => {
  it("an older order with only `gateway`, no payment_gateway_names, keeps its payment method", async () => {
    const shop = await createShop(app.ctx.db);
    const { payment_gateway_names: _names, ...older } = webhookOrder({ id: "7001" });
    const res = await deliver("orders/create", shop.domain, { ...older, gateway: "bogus" });
    expect(res.status).toBe(200);
    await drainQueue(app.ctx, "process-webhook");
    expect((await orderByCartId(shop.id, "7001"))?.paymentMethod).toBe("bogus");
  });

  it("orders/create stores the order with its items, personalisation, type and countdown", async () => {
    const shop = await createShop(app.ctx.db);
    const bigId = "9007199254740993"; // beyond 2^53: must survive digit for digit
    const payload = webhookOrder({ id: bigId });
    const res = await deliver("orders/create", shop.domain, payload);
    expect(res.status).toBe(200);
    expect(await drainQueue(app.ctx, "process-webhook")).toBe(1);

    const order = await orderByCartId(shop.id, bigId);
    expect(order).toBeDefined();
    expect(order!.cartOrderNumber).toBe(payload.name);
    expect(order!.cartStatus).toBe("processing");
    expect(order!.cartStatusRaw).toBe("paid");
    expect(order!.type).toBe("in_app");
    expect(order!.state).toBe("new");
    expect(order!.customerName).toBe("Mia Okafor");
    // Ships to Halifax, billed in Austin: the catalog shows where it goes.
    expect([order!.customerCity, order!.customerProvince, order!.customerCountry]).toEqual([
      "Halifax",
      "Nova Scotia",
      "Canada",
    ]);
    expect(order!.total).toBe("61.5000");
    expect(order!.shippingTotal).toBe("5.0000");
    expect(order!.paymentMethod).toBe("shopify_payments");
    expect(order!.sourceChannel).toBe("web");
    expect(order!.itemCount).toBe(3);
    expect((order!.rawPayload as { id: string }).id).toBe(bigId);
    // An in-app, paid order in automatic mode counts down (60 minutes by default).
    const left = order!.autoSubmitAt!.getTime() - Date.now();
    expect(left).toBeGreaterThan(59 * 60_000);
    expect(left).toBeLessThanOrEqual(60 * 60_000);

    const items = await app.ctx.db
      .select()
      .from(lineItems)
      .where(eq(lineItems.orderId, order!.id))
      .orderBy(asc(lineItems.position));
    expect(items.map((i) => i.cartLineId)).toEqual(["9007199254741001", "4401"]);
    expect(items[0]!.personalization).toEqual({
      previewUrl: "https://cdn.example.com/previews/mug-1.png",
      designUrl: "https://cdn.example.com/designs/mug-1.png",
      clientImages: ["https://cdn.example.com/uploads/a.jpg"],
      options: [{ name: "Name", value: "Grandma" }],
    });
    expect(items[0]!.style).toBe("11oz");
    expect(items[0]!.cartProductId).toBe("8001");
    expect(items[1]!.personalization).toBeNull();
    const events = await timeline(order!.id);
    expect(events.map((e) => [e.actor, e.action])).toContainEqual(["cart", "imported"]);
  });

  it("a burst of deliveries is stored together: each order once, the newest version, and a bad one fails alone", async () => {
    const shop = await createShop(app.ctx.db);
    const t0 = Date.parse("2026-11-01T10:00:00Z");
    const at = (s: number) => new Date(t0 + s * 1000).toISOString();
    const sent = [
      deliver("orders/create", shop.domain, webhookOrder({ id: "7100001", updatedAt: at(0) })),
      deliver("orders/create", shop.domain, webhookOrder({ id: "7100002", updatedAt: at(0) })),
      // Two versions of one order in the same batch, the newer sent first.
      deliver("orders/updated", shop.domain, {
        ...webhookOrder({ id: "7100003", updatedAt: at(20) }),
        note: "newer",
      }),
      deliver("orders/updated", shop.domain, {
        ...webhookOrder({ id: "7100003", updatedAt: at(10) }),
        note: "older",
      }),
    ];
    expect((await Promise.all(sent)).map((r) => r.status)).toEqual([200, 200, 200, 200]);
    // A delivery stored before the door checked shapes: its job fails, the others' do not.
    const [bad] = await app.ctx.db
      .insert(webhookReceipts)
      .values({
        shopId: shop.id,
        source: "shopify",
        shopDomain: shop.domain,
        deliveryId: `bad-${shop.id}`,
        topic: "orders/updated",
        payload: { id: "not an order" },
      })
      .returning();
    await app.ctx.jobs.send("process-webhook", { receiptId: bad!.id });

    expect(await drainQueue(app.ctx, "process-webhook")).toBe(5);
    const stored = await app.ctx.db.select().from(orders).where(eq(orders.shopId, shop.id));
    expect(stored.map((o) => o.cartOrderId).sort()).toEqual(["7100001", "7100002", "7100003"]);
    const newest = stored.find((o) => o.cartOrderId === "7100003")!;
    expect((newest.rawPayload as { note: string }).note).toBe("newer");
    const receipts = await receiptsFor(shop.domain);
    expect(receipts.filter((r) => r.processedAt !== null)).toHaveLength(4);
    const failed = receipts.find((r) => r.id === bad!.id)!;
    expect(failed.processedAt).toBeNull();
    expect(failed.error).toBeTruthy();
  });

  it("orders/updated applies a newer version and ignores an older one (newest wins)", async () => {
    const shop = await createShop(app.ctx.db);
    const id = "6100000000001";
    await deliver(
      "orders/create",
      shop.domain,
      webhookOrder({ id, updatedAt: "2026-11-20T10:00:00Z" }),
    );
    // The newer update arrives before an older one.
    const newer = webhookOrder({ id, updatedAt: "2026-11-20T12:00:00Z" });
    (newer.shipping_address as Record<string, unknown>).city = "Dartmouth";
    await deliver("orders/updated", shop.domain, newer);
    const older = webhookOrder({ id, updatedAt: "2026-11-20T11:00:00Z" });
    (older.shipping_address as Record<string, unknown>).city = "Truro";
    await deliver("orders/updated", shop.domain, older);
    expect(await drainQueue(app.ctx, "process-webhook")).toBe(3);

    const order = await orderByCartId(shop.id, id);
    expect(order!.customerCity).toBe("Dartmouth");
    expect(order!.cartUpdatedAt.toISOString()).toBe("2026-11-20T12:00:00.000Z");
    const receipts = await receiptsFor(shop.domain);
    expect(receipts.every((r) => r.processedAt !== null && r.error === null)).toBe(true);
  });

  it("the same delivery twice is processed once", async () => {
    const shop = await createShop(app.ctx.db);
    const payload = webhookOrder();
    const first = await deliver("orders/create", shop.domain, payload, { webhookId: "same-1" });
    const again = await deliver("orders/create", shop.domain, payload, { webhookId: "same-1" });
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.headers.get("x-orderlane-duplicate")).toBe("true");
    expect(await drainQueue(app.ctx, "process-webhook")).toBe(1);
    const stored = await app.ctx.db.select().from(orders).where(eq(orders.shopId, shop.id));
    expect(stored).toHaveLength(1);
    const events = await timeline(stored[0]!.id);
    expect(events.filter((e) => e.action === "imported")).toHaveLength(1);
  });

  it("a wrong or missing HMAC is refused with 401 and nothing is stored", async () => {
    const shop = await createShop(app.ctx.db);
    const body = shopifyJson(webhookOrder());
    const wrong = shopifyWebhook("orders/create", shop.domain, null, {
      rawBody: body,
      secret: "someone-else",
    });
    expect((await post(wrong)).status).toBe(401);
    const missing = shopifyWebhook("orders/create", shop.domain, null, { rawBody: body });
    const headers: Record<string, string> = { ...missing.headers };
    delete headers["X-Shopify-Hmac-Sha256"];
    const res = await post({ ...missing, headers });
    expect([400, 401]).toContain(res.status);
    expect(await receiptsFor(shop.domain)).toHaveLength(0);
    expect(await app.ctx.db.select().from(orders).where(eq(orders.shopId, shop.id))).toHaveLength(
      0,
    );
  });

  it("a signed body that is not JSON is refused with 400 and recorded as rejected", async () => {
    const shop = await createShop(app.ctx.db);
    const res = await post(
      shopifyWebhook("orders/create", shop.domain, null, {
        rawBody: '{"id": 1, "line_items": [',
        webhookId: "broken-json-1",
      }),
    );
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toMatch(/not valid JSON/);
    const [receipt] = await receiptsFor(shop.domain);
    expect(receipt?.deliveryId).toBe("broken-json-1");
    expect(receipt?.error).toMatch(/^Rejected: /);
    expect(receipt?.payload).toBeNull();
    expect(await drainQueue(app.ctx, "process-webhook")).toBe(0);
    expect(await app.ctx.db.select().from(orders).where(eq(orders.shopId, shop.id))).toHaveLength(
      0,
    );
  });

  it("an order missing required fields is refused with 400 naming them, nothing stored", async () => {
    const shop = await createShop(app.ctx.db);
    const payload = webhookOrder();
    delete payload.line_items;
    delete payload.currency;
    payload.total_price = "a lot";
    const res = await deliver("orders/updated", shop.domain, payload, { webhookId: "bad-1" });
    expect(res.status).toBe(400);
    const message = (await res.json()).error.message as string;
    expect(message).toMatch(/line_items/);
    expect(message).toMatch(/currency/);
    expect(message).toMatch(/total_price: not an amount/);
    const [receipt] = await receiptsFor(shop.domain);
    expect(receipt?.error).toMatch(/^Rejected: Not a Shopify order/);
    expect(await drainQueue(app.ctx, "process-webhook")).toBe(0);
    expect(await app.ctx.db.select().from(orders).where(eq(orders.shopId, shop.id))).toHaveLength(
      0,
    );
  });

  it("an order for a shop we do not know writes no order data", async () => {
    const domain = "never-installed.myshopify.com";
    const res = await deliver("orders/create", domain, webhookOrder());
    expect(res.status).toBe(200);
    await drainQueue(app.ctx, "process-webhook");
    expect(await app.ctx.db.select().from(shops).where(eq(shops.domain, domain))).toHaveLength(0);
    const [receipt] = await receiptsFor(domain);
    expect(receipt?.shopId).toBeNull();
  });

  it("a hold placed in Shopify pauses the countdown; its release resumes it with the time left", async () => {
    const shop = await createShop(app.ctx.db);
    await createSession(app.ctx.db, shop.domain);
    const id = "6200000000001";
    await deliver("orders/create", shop.domain, webhookOrder({ id }));
    await drainQueue(app.ctx, "process-webhook");
    const created = await orderByCartId(shop.id, id);
    // Ten minutes of the countdown have gone by.
    const deadline = new Date(Date.now() + 50 * 60_000);
    await app.ctx.db
      .update(orders)
      .set({ autoSubmitAt: deadline })
      .where(eq(orders.id, created!.id));

    let fulfillment = "ON_HOLD";
    const calls = mockShopifyAdmin(shop.domain, {
      OrderlaneFulfillmentOrderOrder: () => ({
        data: {
          fulfillmentOrder: {
            id: "gid://shopify/FulfillmentOrder/55",
            orderId: `gid://shopify/Order/${id}`,
          },
        },
      }),
      OrderlaneOrder: () => ({
        data: {
          order: graphqlOrderWithLines({ id, fulfillment, updatedAt: new Date().toISOString() }),
        },
      }),
    });
    const hold = {
      fulfillment_order: { id: "gid://shopify/FulfillmentOrder/55", status: "on_hold" },
    };
    expect((await deliver("fulfillment_orders/placed_on_hold", shop.domain, hold)).status).toBe(
      200,
    );
    expect(await drainQueue(app.ctx, "process-webhook")).toBe(1);
    const held = await orderByCartId(shop.id, id);
    expect(held!.cartStatus).toBe("on_hold");
    expect(held!.state).toBe("on_hold");
    expect(held!.autoSubmitAt).toBeNull();
    expect(held!.autoSubmitRemainingMs).toBeGreaterThan(49 * 60_000);
    expect(held!.autoSubmitRemainingMs).toBeLessThanOrEqual(50 * 60_000);
    expect(calls.map((c) => c.operation)).toEqual([
      "OrderlaneFulfillmentOrderOrder",
      "OrderlaneOrder",
    ]);

    // An orders/updated (a note edit, say) does not lift a hold Shopify still has.
    await deliver("orders/updated", shop.domain, webhookOrder({ id }));
    await drainQueue(app.ctx, "process-webhook");
    expect((await orderByCartId(shop.id, id))!.state).toBe("on_hold");

    fulfillment = "UNFULFILLED";
    const release = {
      fulfillment_order: { id: "gid://shopify/FulfillmentOrder/55", status: "open" },
    };
    await deliver("fulfillment_orders/hold_released", shop.domain, release);
    expect(await drainQueue(app.ctx, "process-webhook")).toBe(1);
    const resumed = await orderByCartId(shop.id, id);
    expect(resumed!.cartStatus).toBe("processing");
    expect(resumed!.state).toBe("new");
    const left = resumed!.autoSubmitAt!.getTime() - Date.now();
    expect(left).toBeGreaterThan(49 * 60_000);
    expect(left).toBeLessThanOrEqual(50 * 60_000);
    const actions = (await timeline(created!.id)).map((e) => `${e.actor}:${e.action}`);
    expect(actions).toContain("cart:hold");
    expect(actions).toContain("cart:release");
  });

  it("orders/cancelled stops the countdown and withdraws purchase orders not yet sent", async () => {
    const shop = await createShop(app.ctx.db);
    const id = "6300000000001";
    await deliver(
      "orders/create",
      shop.domain,
      webhookOrder({ id, updatedAt: "2026-11-21T08:00:00Z" }),
    );
    await drainQueue(app.ctx, "process-webhook");
    const order = await orderByCartId(shop.id, id);
    expect(order!.autoSubmitAt).not.toBeNull();
    const [provider] = await app.ctx.db
      .insert(providers)
      .values({ shopId: shop.id, kind: "http", name: "Printer", endpoint: "https://p.example" })
      .returning();
    await app.ctx.db.insert(submissions).values({
      shopId: shop.id,
      orderId: order!.id,
      providerId: provider!.id,
      poNumber: `PO-${id}`,
      idempotencyKey: `key-${id}`,
      state: "pending",
    });

    const cancelled = webhookOrder({
      id,
      updatedAt: "2026-11-21T09:00:00Z",
      cancelledAt: "2026-11-21T09:00:00Z",
      financialStatus: "refunded",
    });
    await deliver("orders/cancelled", shop.domain, cancelled);
    expect(await drainQueue(app.ctx, "process-webhook")).toBe(1);
    const after = await orderByCartId(shop.id, id);
    expect(after!.cartStatus).toBe("refunded");
    expect(after!.autoSubmitAt).toBeNull();
    const [submission] = await app.ctx.db
      .select()
      .from(submissions)
      .where(eq(submissions.orderId, order!.id));
    expect(submission!.state).toBe("cancelled");
    const actions = (await timeline(order!.id)).map((e) => e.action);
    expect(actions).toContain("fulfillment_cancelled");
  });

  it("a line the cart removed goes; the owner's personalisation edit stays", async () => {
    const shop = await createShop(app.ctx.db);
    const id = "6400000000001";
    await deliver(
      "orders/create",
      shop.domain,
      webhookOrder({ id, updatedAt: "2026-11-21T08:00:00Z" }),
    );
    await drainQueue(app.ctx, "process-webhook");
    const order = await orderByCartId(shop.id, id);
    const ownerDesign = { designUrl: "https://cdn.example.com/owner-fixed.png", options: [] };
    await app.ctx.db
      .update(orders)
      .set({
        manualEdits: {
          "lineItem:9007199254741001:personalization": {
            from: null,
            to: ownerDesign,
            at: new Date().toISOString(),
            by: "owner",
          },
        },
      })
      .where(eq(orders.id, order!.id));
    await app.ctx.db
      .update(lineItems)
      .set({ personalization: ownerDesign })
      .where(and(eq(lineItems.orderId, order!.id), eq(lineItems.cartLineId, "9007199254741001")));

    const update = webhookOrder({ id, updatedAt: "2026-11-21T09:00:00Z" });
    update.line_items = (update.line_items as Record<string, unknown>[]).slice(0, 1);
    await deliver("orders/updated", shop.domain, update);
    await drainQueue(app.ctx, "process-webhook");
    const items = await app.ctx.db.select().from(lineItems).where(eq(lineItems.orderId, order!.id));
    expect(items.map((i) => i.cartLineId)).toEqual(["9007199254741001"]);
    expect(items[0]!.personalization).toEqual(ownerDesign);
    const after = await orderByCartId(shop.id, id);
    expect(after!.itemCount).toBe(2);
    // The cart's own value is remembered, for Reset.
    const edit = after!.manualEdits!["lineItem:9007199254741001:personalization"];
    expect((edit!.from as { designUrl: string }).designUrl).toBe(
      "https://cdn.example.com/designs/mug-1.png",
    );
  });

  it("an archived order is never changed by the cart", async () => {
    const shop = await createShop(app.ctx.db);
    const id = "6500000000001";
    await deliver(
      "orders/create",
      shop.domain,
      webhookOrder({ id, updatedAt: "2026-11-21T08:00:00Z" }),
    );
    await drainQueue(app.ctx, "process-webhook");
    const order = await orderByCartId(shop.id, id);
    await app.ctx.db.update(orders).set({ state: "archived" }).where(eq(orders.id, order!.id));
    const update = webhookOrder({
      id,
      updatedAt: "2026-11-21T09:00:00Z",
      financialStatus: "refunded",
    });
    await deliver("orders/updated", shop.domain, update);
    await drainQueue(app.ctx, "process-webhook");
    const after = await orderByCartId(shop.id, id);
    expect(after!.state).toBe("archived");
    expect(after!.cartStatus).toBe("processing");
  });
});
