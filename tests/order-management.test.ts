// The shop's own order statuses, the invoice number and notes, through the JSON API as an
// integration (or the order page) uses them. Shopify and WooCommerce are played by msw, answering
// as their documentation shows; every change must reach the cart before it is stored here.
/* eslint-disable @typescript-eslint/no-explicit-any -- answers are read as loosely as an integration reads JSON; each test asserts the fields it cares about */
import { randomUUID } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import { http, HttpResponse } from "msw";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orderEvents, orderNotes, orderStatuses, orders, shops } from "~/db/schema";
import { sealSecret } from "~/security/encryption.server";
import { createApiToken } from "~/shops/api-tokens.server";
import type { Shop } from "~/shops/shops.server";
import { shopOrderStatuses } from "~/orders/order-status.server";
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

interface Wired {
  shop: Shop;
  token: string;
}

async function tokenFor(shop: Shop): Promise<string> {
  const created = await createApiToken(app.ctx.db, shop.id, { name: "Tests", createdBy: "Ava" });
  if (!created.ok) throw new Error("token not created");
  return created.token;
}

async function shopifyShop(): Promise<Wired> {
  const shop = await createShop(app.ctx.db);
  await createSession(app.ctx.db, shop.domain);
  return { shop, token: await tokenFor(shop) };
}

async function wooShop(): Promise<Wired> {
  const shop = await createShop(app.ctx.db, {
    platform: "woocommerce",
    domain: `store-${randomUUID().slice(0, 8)}.example`,
  });
  const [stored] = await app.ctx.db
    .update(shops)
    .set({
      credentials: sealSecret(
        app.ctx.config.encryptionKey,
        JSON.stringify({ consumerKey: "ck_test", consumerSecret: "cs_test" }),
      ),
    })
    .where(eq(shops.id, shop.id))
    .returning();
  return { shop: stored!, token: await tokenFor(stored!) };
}

async function call(
  w: Wired,
  method: string,
  path: string,
  body?: unknown,
  token: string | null = w.token,
) {
  const headers = new Headers({ "Content-Type": "application/json" });
  if (token) headers.set("authorization", `Bearer ${token}`);
  const res = await app.fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

async function reload(orderId: string) {
  const [order] = await app.ctx.db.select().from(orders).where(eq(orders.id, orderId));
  const events = await app.ctx.db
    .select()
    .from(orderEvents)
    .where(eq(orderEvents.orderId, orderId))
    .orderBy(asc(orderEvents.createdAt));
  return { order: order!, events };
}

const fulfillmentOrders = (status: string) => () => ({
  data: {
    order: {
      id: "gid://shopify/Order/1",
      fulfillmentOrders: {
        nodes: [{ id: "gid://shopify/FulfillmentOrder/31", status, lineItems: { nodes: [] } }],
      },
    },
  },
});

/** WooCommerce's REST API for one store, recording every call it answers. */
function mockWoo(
  shop: Shop,
  answer: (method: string, path: string, body: any) => Response | Record<string, unknown>,
) {
  const calls: { method: string; path: string; body: any }[] = [];
  const handler = async ({ request }: { request: Request }) => {
    const url = new URL(request.url);
    const path = url.pathname.replace(/^\/wp-json\//, "");
    const body = request.method === "GET" ? null : await request.json();
    calls.push({ method: request.method, path, body });
    const result = answer(request.method, path, body);
    return result instanceof Response ? result : HttpResponse.json(result);
  };
  const base = `https://${shop.domain}/wp-json/wc/v3/*`;
  mswServer.use(http.get(base, handler), http.put(base, handler), http.post(base, handler));
  return calls;
}

describe("the shop's own order statuses", () => {
  it("every shop has the six defaults, saying what each writes and whether it pauses", async () => {
    const { shop } = await shopifyShop();
    const rows = await shopOrderStatuses(app.ctx.db, shop.id);
    expect(rows.map((r) => [r.key, r.label, r.cartEffect, r.pausesCountdown])).toEqual([
      ["new", "New", "release", false],
      ["processing", "Processing", "release", false],
      ["completed", "Completed", "complete", false],
      ["cancelled", "Cancelled", "cancel", false],
      ["fraud", "Fraud", "hold_fraud", true],
      ["suspended", "Suspended", "hold_other", true],
    ]);
  });

  it("Shopify: Fraud holds the fulfillment order as high risk, pauses the countdown; Processing releases it", async () => {
    const w = await shopifyShop();
    const order = await createOrder(app.ctx.db, w.shop, {
      autoSubmitAt: new Date(Date.now() + 30 * 60_000),
    });
    const calls = mockShopifyAdmin(w.shop.domain, {
      OrderlaneFulfillmentOrders: fulfillmentOrders("OPEN"),
      OrderlaneHold: () => ({
        data: {
          fulfillmentOrderHold: {
            fulfillmentOrder: { id: "gid://shopify/FulfillmentOrder/31", status: "ON_HOLD" },
            userErrors: [],
          },
        },
      }),
    });
    const res = await call(w, "PUT", `/api/v1/orders/${order.id}/status`, { status: "fraud" });
    expect(res.status).toBe(200);
    expect(res.body.message).toMatch(/Fraud.*countdown is paused/);
    expect(calls.map((c) => c.operation)).toEqual(["OrderlaneFulfillmentOrders", "OrderlaneHold"]);
    expect(calls[1]!.variables).toMatchObject({
      id: "gid://shopify/FulfillmentOrder/31",
      hold: { reason: "HIGH_RISK_OF_FRAUD" },
    });
    let after = await reload(order.id);
    expect(after.order.orderStatusKey).toBe("fraud");
    expect(after.order.state).toBe("on_hold");
    expect(after.order.autoSubmitAt).toBeNull();
    expect(after.order.autoSubmitRemainingMs).toBeGreaterThan(29 * 60_000);
    const changed = after.events.find((e) => e.action === "status_changed")!;
    expect(changed).toMatchObject({
      actor: "owner",
      actorName: `API token "Tests"`,
      message: expect.stringMatching(/^New → Fraud/),
    });

    // Suspended may follow Fraud, as the portal's states work: held for another reason.
    mockShopifyAdmin(w.shop.domain, {
      OrderlaneFulfillmentOrders: fulfillmentOrders("OPEN"),
      OrderlaneHold: (c) => ({
        data: {
          fulfillmentOrderHold: { fulfillmentOrder: null, userErrors: [] },
          seen: c.variables,
        },
      }),
    });
    const suspended = await call(w, "PUT", `/api/v1/orders/${order.id}/status`, {
      status: "suspended",
    });
    expect(suspended.status).toBe(200);

    const released = mockShopifyAdmin(w.shop.domain, {
      OrderlaneFulfillmentOrders: fulfillmentOrders("ON_HOLD"),
      OrderlaneReleaseHold: () => ({
        data: { fulfillmentOrderReleaseHold: { fulfillmentOrder: null, userErrors: [] } },
      }),
    });
    const back = await call(w, "PUT", `/api/v1/orders/${order.id}/status`, {
      status: "processing",
    });
    expect(back.status).toBe(200);
    expect(released.map((c) => c.operation)).toEqual([
      "OrderlaneFulfillmentOrders",
      "OrderlaneReleaseHold",
    ]);
    after = await reload(order.id);
    expect(after.order.orderStatusKey).toBe("processing");
    expect(after.order.state).toBe("new");
    expect(after.order.autoSubmitAt!.getTime() - Date.now()).toBeGreaterThan(28 * 60_000);
  });

  it("Suspended only from Processing or Fraud, Completed only once shipped, Cancelled only through Cancel Order: 409, nothing sent", async () => {
    const w = await shopifyShop();
    const order = await createOrder(app.ctx.db, w.shop);
    const calls = mockShopifyAdmin(w.shop.domain, {});
    const suspended = await call(w, "PUT", `/api/v1/orders/${order.id}/status`, {
      status: "suspended",
    });
    expect(suspended.status).toBe(409);
    expect(suspended.body.error.message).toMatch(/only for an order that is Processing or Fraud/);
    const completed = await call(w, "PUT", `/api/v1/orders/${order.id}/status`, {
      status: "completed",
    });
    expect(completed.status).toBe(409);
    expect(completed.body.error.message).toMatch(/once everything on the order has shipped/);
    const cancelled = await call(w, "PUT", `/api/v1/orders/${order.id}/status`, {
      status: "cancelled",
    });
    expect(cancelled.status).toBe(409);
    expect(cancelled.body.error).toMatchObject({ code: "use_cancel_order" });
    expect(cancelled.body.error.message).toMatch(/Cancel Order/);
    expect(calls).toEqual([]);
    expect((await reload(order.id)).order.orderStatusKey).toBe("new");
  });

  it("WooCommerce: Fraud writes on-hold; a refusal shows the store's words and changes nothing", async () => {
    const w = await wooShop();
    const order = await createOrder(app.ctx.db, w.shop, {
      cartOrderId: "727",
      cartStatus: "processing",
      cartStatusRaw: "processing",
    });
    let refuse = true;
    const calls = mockWoo(w.shop, (method, path, body) =>
      refuse
        ? HttpResponse.json(
            {
              code: "woocommerce_rest_shop_order_invalid_status",
              message: "Order status cannot be changed while a payment is being reviewed.",
              data: { status: 400 },
            },
            { status: 400 },
          )
        : { id: 727, status: body.status },
    );
    const refused = await call(w, "PUT", `/api/v1/orders/${order.id}/status`, { status: "fraud" });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain(
      "Order status cannot be changed while a payment is being reviewed.",
    );
    expect(calls).toEqual([
      { method: "PUT", path: "wc/v3/orders/727", body: { status: "on-hold" } },
    ]);
    let after = await reload(order.id);
    expect(after.order).toMatchObject({ orderStatusKey: "new", cartStatus: "processing" });
    expect(after.events.find((e) => e.action === "status_refused")?.message).toContain(
      "payment is being reviewed",
    );

    refuse = false;
    const ok = await call(w, "PUT", `/api/v1/orders/${order.id}/status`, { status: "fraud" });
    expect(ok.status).toBe(200);
    after = await reload(order.id);
    expect(after.order).toMatchObject({
      orderStatusKey: "fraud",
      cartStatus: "on_hold",
      cartStatusRaw: "on-hold",
    });
  });

  it("WooCommerce: a store that does not answer leaves the order as it was", async () => {
    const w = await wooShop();
    const order = await createOrder(app.ctx.db, w.shop, { cartOrderId: "728" });
    mockWoo(w.shop, () => HttpResponse.error());
    const res = await call(w, "PUT", `/api/v1/orders/${order.id}/status`, { status: "fraud" });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/could not be reached, so nothing was changed/);
    expect((await reload(order.id)).order.orderStatusKey).toBe("new");
  });

  it("WooCommerce: a status of the store's own is written by its slug", async () => {
    const w = await wooShop();
    await shopOrderStatuses(app.ctx.db, w.shop.id);
    await app.ctx.db.insert(orderStatuses).values({
      shopId: w.shop.id,
      key: "awaiting_artwork",
      label: "Awaiting artwork",
      position: 6,
      cartEffect: "woo_status",
      cartStatus: "awaiting-artwork",
      pausesCountdown: true,
    });
    const order = await createOrder(app.ctx.db, w.shop, {
      cartOrderId: "729",
      autoSubmitAt: new Date(Date.now() + 10 * 60_000),
    });
    const calls = mockWoo(w.shop, (_m, _p, body) => ({ id: 729, status: body.status }));
    const res = await call(w, "PUT", `/api/v1/orders/${order.id}/status`, {
      status: "awaiting_artwork",
    });
    expect(res.status).toBe(200);
    expect(calls[0]).toEqual({
      method: "PUT",
      path: "wc/v3/orders/729",
      body: { status: "awaiting-artwork" },
    });
    const { order: after } = await reload(order.id);
    expect(after).toMatchObject({
      orderStatusKey: "awaiting_artwork",
      cartStatusRaw: "awaiting-artwork",
      state: "on_hold",
      autoSubmitAt: null,
    });
  });

  it("a status of the shop's own that writes nothing is stored, pausing the countdown without asking the cart", async () => {
    const w = await shopifyShop();
    await shopOrderStatuses(app.ctx.db, w.shop.id);
    await app.ctx.db.insert(orderStatuses).values({
      shopId: w.shop.id,
      key: "on_the_bench",
      label: "On the bench",
      position: 6,
      cartEffect: "none",
      pausesCountdown: true,
    });
    const order = await createOrder(app.ctx.db, w.shop, {
      autoSubmitAt: new Date(Date.now() + 20 * 60_000),
    });
    const calls = mockShopifyAdmin(w.shop.domain, {});
    const res = await call(w, "PUT", `/api/v1/orders/${order.id}/status`, {
      status: "on_the_bench",
    });
    expect(res.status).toBe(200);
    expect(calls).toEqual([]);
    const { order: after } = await reload(order.id);
    expect(after).toMatchObject({
      orderStatusKey: "on_the_bench",
      state: "on_hold",
      autoSubmitAt: null,
      cartStatusRaw: order.cartStatusRaw,
    });
  });

  it("bad input: an unknown status is 400, another shop's order 404, no token 401", async () => {
    const w = await shopifyShop();
    const other = await shopifyShop();
    const order = await createOrder(app.ctx.db, w.shop);
    const unknown = await call(w, "PUT", `/api/v1/orders/${order.id}/status`, { status: "lost" });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/no status "lost".*new, processing/);
    const missing = await call(w, "PUT", `/api/v1/orders/${order.id}/status`, {});
    expect(missing.status).toBe(400);
    const theirs = await call(other, "PUT", `/api/v1/orders/${order.id}/status`, {
      status: "processing",
    });
    expect(theirs.status).toBe(404);
    const anonymous = await call(
      w,
      "PUT",
      `/api/v1/orders/${order.id}/status`,
      { status: "new" },
      null,
    );
    expect(anonymous.status).toBe(401);
  });

  it("the catalog filters by status", async () => {
    const w = await shopifyShop();
    const fraud = await createOrder(app.ctx.db, w.shop, { orderStatusKey: "fraud" });
    await createOrder(app.ctx.db, w.shop);
    const res = await call(w, "GET", `/api/v1/orders?orderStatus=fraud`);
    expect(res.status).toBe(200);
    expect(res.body.orders.map((o: { id: string }) => o.id)).toEqual([fraud.id]);
    expect(res.body.orders[0].status).toBe("fraud");
    const bad = await call(w, "GET", `/api/v1/orders?orderStatus=Not%20a%20key`);
    expect(bad.status).toBe(400);
  });
});

describe("the invoice number", () => {
  it("Shopify: saved to a metafield in the app's namespace, then stored and listed", async () => {
    const w = await shopifyShop();
    const order = await createOrder(app.ctx.db, w.shop);
    const calls = mockShopifyAdmin(w.shop.domain, {
      OrderlaneInvoiceSet: (c) => ({
        data: {
          metafieldsSet: {
            metafields: [
              { id: "gid://shopify/Metafield/9", ...(c.variables.metafields as any[])[0] },
            ],
            userErrors: [],
          },
        },
      }),
    });
    const res = await call(w, "PUT", `/api/v1/orders/${order.id}/invoice`, {
      invoiceNumber: " INV-2026-0042 ",
    });
    expect(res.status).toBe(200);
    expect(calls[0]!.variables.metafields).toEqual([
      {
        ownerId: `gid://shopify/Order/${order.cartOrderId}`,
        namespace: "$app",
        key: "invoice_number",
        type: "single_line_text_field",
        value: "INV-2026-0042",
      },
    ]);
    const { order: after, events } = await reload(order.id);
    expect(after.invoiceNumber).toBe("INV-2026-0042");
    expect(events.find((e) => e.action === "invoice_saved")?.actor).toBe("owner");
    const listed = await call(w, "GET", `/api/v1/orders`);
    expect(listed.body.orders[0].invoiceNumber).toBe("INV-2026-0042");
  });

  it("an invoice number another order has is 409 naming that order; the cart is not asked", async () => {
    const w = await shopifyShop();
    const first = await createOrder(app.ctx.db, w.shop, { invoiceNumber: "INV-7" });
    const second = await createOrder(app.ctx.db, w.shop);
    const calls = mockShopifyAdmin(w.shop.domain, {});
    const res = await call(w, "PUT", `/api/v1/orders/${second.id}/invoice`, {
      invoiceNumber: "INV-7",
    });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain(`already on order ${first.cartOrderNumber}`);
    expect(calls).toEqual([]);
    expect((await reload(second.id)).order.invoiceNumber).toBeNull();
    // Another shop may use the same number.
    const elsewhere = await wooShop();
    const theirs = await createOrder(app.ctx.db, elsewhere.shop, { cartOrderId: "730" });
    mockWoo(elsewhere.shop, (_m, _p, body) => ({ id: 730, meta_data: body.meta_data }));
    const ok = await call(elsewhere, "PUT", `/api/v1/orders/${theirs.id}/invoice`, {
      invoiceNumber: "INV-7",
    });
    expect(ok.status).toBe(200);
  });

  it("WooCommerce: written as order meta; a refusal stores nothing", async () => {
    const w = await wooShop();
    const order = await createOrder(app.ctx.db, w.shop, { cartOrderId: "731" });
    let refuse = true;
    const calls = mockWoo(w.shop, (_m, _p, body) =>
      refuse
        ? HttpResponse.json(
            {
              code: "woocommerce_rest_cannot_edit",
              message: "Sorry, you are not allowed to edit this resource.",
              data: { status: 401 },
            },
            { status: 401 },
          )
        : { id: 731, meta_data: [{ id: 88, ...body.meta_data[0] }] },
    );
    const refused = await call(w, "PUT", `/api/v1/orders/${order.id}/invoice`, {
      invoiceNumber: "W-100",
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain(
      "Sorry, you are not allowed to edit this resource.",
    );
    expect((await reload(order.id)).order.invoiceNumber).toBeNull();
    refuse = false;
    const ok = await call(w, "PUT", `/api/v1/orders/${order.id}/invoice`, {
      invoiceNumber: "W-100",
    });
    expect(ok.status).toBe(200);
    expect(calls.at(-1)).toEqual({
      method: "PUT",
      path: "wc/v3/orders/731",
      body: { meta_data: [{ key: "_orderlane_invoice_number", value: "W-100" }] },
    });
    expect((await reload(order.id)).order.invoiceNumber).toBe("W-100");
  });

  it("bad input: too long is 400, another shop's order 404, no token 401", async () => {
    const w = await shopifyShop();
    const other = await shopifyShop();
    const order = await createOrder(app.ctx.db, w.shop);
    const long = await call(w, "PUT", `/api/v1/orders/${order.id}/invoice`, {
      invoiceNumber: "x".repeat(65),
    });
    expect(long.status).toBe(400);
    const theirs = await call(other, "PUT", `/api/v1/orders/${order.id}/invoice`, {
      invoiceNumber: "A-1",
    });
    expect(theirs.status).toBe(404);
    const anonymous = await call(
      w,
      "PUT",
      `/api/v1/orders/${order.id}/invoice`,
      { invoiceNumber: "A-1" },
      null,
    );
    expect(anonymous.status).toBe(401);
  });
});

describe("notes", () => {
  it("WooCommerce: a note for the customer is an order note with customer_note, listed on the order", async () => {
    const w = await wooShop();
    const order = await createOrder(app.ctx.db, w.shop, { cartOrderId: "732" });
    const calls = mockWoo(w.shop, (_m, _p, body) => ({
      id: 4411,
      author: "Orderlane",
      date_created: "2026-12-07T10:00:00",
      note: body.note,
      customer_note: body.customer_note,
    }));
    const res = await call(w, "POST", `/api/v1/orders/${order.id}/notes`, {
      text: "Your mug is being printed today.",
      visibleToCustomer: true,
    });
    expect(res.status).toBe(201);
    expect(res.body.note).toMatchObject({
      visibleToCustomer: true,
      author: `API token "Tests"`,
      cartNoteId: "4411",
    });
    expect(calls).toEqual([
      {
        method: "POST",
        path: "wc/v3/orders/732/notes",
        body: { note: "Your mug is being printed today.", customer_note: true },
      },
    ]);
    const read = await call(w, "GET", `/api/v1/orders/${order.id}`);
    expect(read.body.order.notes).toEqual([
      expect.objectContaining({
        text: "Your mug is being printed today.",
        visibleToCustomer: true,
      }),
    ]);
    const { events } = await reload(order.id);
    expect(events.find((e) => e.action === "customer_note_added")?.actor).toBe("owner");
  });

  it("WooCommerce refuses a note: its words, nothing stored", async () => {
    const w = await wooShop();
    const order = await createOrder(app.ctx.db, w.shop, { cartOrderId: "733" });
    mockWoo(w.shop, () =>
      HttpResponse.json(
        {
          code: "woocommerce_rest_shop_order_invalid_id",
          message: "Invalid order ID.",
          data: { status: 404 },
        },
        { status: 404 },
      ),
    );
    const res = await call(w, "POST", `/api/v1/orders/${order.id}/notes`, {
      text: "Internal",
      visibleToCustomer: false,
    });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/WooCommerce no longer has this order/);
    expect(
      await app.ctx.db.select().from(orderNotes).where(eq(orderNotes.orderId, order.id)),
    ).toEqual([]);
  });

  it("Shopify: internal notes stay in Orderlane; notes for the customer are refused with why", async () => {
    const w = await shopifyShop();
    const order = await createOrder(app.ctx.db, w.shop);
    const calls = mockShopifyAdmin(w.shop.domain, {});
    const internal = await call(w, "POST", `/api/v1/orders/${order.id}/notes`, {
      text: "Customer called: gift wrap please.",
    });
    expect(internal.status).toBe(201);
    expect(internal.body.note).toMatchObject({ visibleToCustomer: false, cartNoteId: null });
    const customer = await call(w, "POST", `/api/v1/orders/${order.id}/notes`, {
      text: "Thanks!",
      visibleToCustomer: true,
    });
    expect(customer.status).toBe(409);
    expect(customer.body.error.message).toMatch(/checkout/);
    expect(calls).toEqual([]);
    const { events } = await reload(order.id);
    expect(events.find((e) => e.action === "note_added")?.message).toBe(
      "Customer called: gift wrap please.",
    );
  });

  it("bad input: an empty note is 400, another shop's order 404, no token 401", async () => {
    const w = await shopifyShop();
    const other = await shopifyShop();
    const order = await createOrder(app.ctx.db, w.shop);
    expect((await call(w, "POST", `/api/v1/orders/${order.id}/notes`, { text: "  " })).status).toBe(
      400,
    );
    expect(
      (await call(other, "POST", `/api/v1/orders/${order.id}/notes`, { text: "Hi" })).status,
    ).toBe(404);
    expect(
      (await call(w, "POST", `/api/v1/orders/${order.id}/notes`, { text: "Hi" }, null)).status,
    ).toBe(401);
  });
});
