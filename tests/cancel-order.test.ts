// Cancel Order through the JSON API: Shopify's orderCancel (as the pinned Admin GraphQL API documents
// it: a job followed until done, then the order's transactions read back) and WooCommerce's refunds
// endpoint with api_refund then status cancelled; refusals in the cart's own words change nothing.
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { http, HttpResponse } from "msw";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  orderEvents,
  orders,
  paymentTransactions,
  providers,
  shops,
  submissions,
} from "~/db/schema";
import { wooOrder } from "~/carts/woocommerce/test-fixtures";
import { sealSecret } from "~/security/encryption.server";
import { createApiToken } from "~/shops/api-tokens.server";
import { ensureShop } from "~/shops/shops.server";
import { closeVite, startTestApp, type TestApp } from "./support/app";
import { createOrder, createSession, createShop } from "./support/factories";
import { mswServer } from "./support/msw";
import {
  graphqlOrderWithLines,
  mockShopifyAdmin,
  type GraphqlCall,
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

function call(token: string | null, path: string, body?: unknown) {
  const headers = new Headers({ "content-type": "application/json" });
  if (token) headers.set("authorization", `Bearer ${token}`);
  return app.fetch(path, {
    method: "POST",
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function tokenFor(shopId: string) {
  const created = await createApiToken(app.ctx.db, shopId, { name: "Tests", createdBy: "Ava" });
  if (!created.ok) throw new Error("token not created");
  return created.token;
}

/**
 * A Shopify order of 50.00 USD: authorised in full, 30.00 captured, 20.00 still authorised; one
 * purchase order not yet sent.
 */
async function shopifyOrder() {
  const shop = await createShop(app.ctx.db, { platform: "shopify" });
  await createSession(app.ctx.db, shop.domain);
  const cartOrderId = `${4507894690000 + Math.floor(Math.random() * 1e6)}`;
  const order = await createOrder(app.ctx.db, shop, {
    cartOrderId,
    currency: "USD",
    total: "50.00",
  });
  await app.ctx.db.insert(paymentTransactions).values([
    {
      shopId: shop.id,
      orderId: order.id,
      kind: "authorization",
      amount: "50.00",
      currency: "USD",
      status: "success",
      gateway: "shopify_payments",
      cartTransactionId: `${cartOrderId}1`,
      processedAt: new Date("2026-12-01T10:00:00Z"),
    },
    {
      shopId: shop.id,
      orderId: order.id,
      kind: "capture",
      amount: "30.00",
      currency: "USD",
      status: "success",
      gateway: "shopify_payments",
      cartTransactionId: `${cartOrderId}2`,
      parentCartTransactionId: `${cartOrderId}1`,
      processedAt: new Date("2026-12-01T11:00:00Z"),
    },
  ]);
  const [provider] = await app.ctx.db
    .insert(providers)
    .values({ shopId: shop.id, kind: "sandbox", name: "Print Lab" })
    .returning();
  await app.ctx.db.insert(submissions).values({
    shopId: shop.id,
    orderId: order.id,
    providerId: provider!.id,
    poNumber: `PO-${cartOrderId}`,
    idempotencyKey: randomUUID(),
    state: "pending",
  });
  return { shop, order, cartOrderId, token: await tokenFor(shop.id) };
}

const tx = (id: string, kind: string, amount: string, parent: string | null) => ({
  id: `gid://shopify/OrderTransaction/${id}`,
  kind,
  status: "SUCCESS",
  gateway: "shopify_payments",
  processedAt: "2026-12-07T12:00:00Z",
  errorCode: null,
  parentTransaction: parent ? { id: `gid://shopify/OrderTransaction/${parent}` } : null,
  amountSet: { shopMoney: { amount, currencyCode: "USD" } },
});

/** The order as Shopify answers it once the cancel job ran: voided and refunded. */
function cancelledOrder(cartOrderId: string) {
  return {
    data: {
      order: {
        ...graphqlOrderWithLines({ id: cartOrderId, financial: "PARTIALLY_REFUNDED" }),
        cancelledAt: "2026-12-07T12:00:00Z",
        currencyCode: "USD",
        totalPriceSet: { shopMoney: { amount: "50.0" } },
        transactions: [
          tx(`${cartOrderId}1`, "AUTHORIZATION", "50.0", null),
          tx(`${cartOrderId}2`, "CAPTURE", "30.0", `${cartOrderId}1`),
          tx(`${cartOrderId}3`, "VOID", "20.0", `${cartOrderId}1`),
          tx(`${cartOrderId}4`, "REFUND", "30.0", `${cartOrderId}2`),
        ],
      },
    },
  };
}

async function eventsOf(orderId: string, action: string) {
  return app.ctx.db
    .select()
    .from(orderEvents)
    .where(and(eq(orderEvents.orderId, orderId), eq(orderEvents.action, action)));
}

describe("Cancel Order on a Shopify order", () => {
  it("cancels with orderCancel, follows its job, and answers what was refunded and released", async () => {
    const { shop, order, cartOrderId, token } = await shopifyOrder();
    const calls = mockShopifyAdmin(shop.domain, {
      OrderlaneCancel: () => ({
        data: {
          orderCancel: {
            job: { id: "gid://shopify/Job/9f1c", done: false },
            orderCancelUserErrors: [],
          },
        },
      }),
      OrderlaneJob: (c: GraphqlCall) => ({
        data: { job: { id: c.variables.id, done: true } },
      }),
      OrderlaneOrder: () => cancelledOrder(cartOrderId),
    });
    const res = await call(token, `/api/v1/orders/${order.id}/cancel`, {
      reason: "customer",
      notifyCustomer: true,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      ok: true,
      currency: "USD",
      refunded: "30.00",
      voided: "20.00",
      purchaseOrders: [
        { poNumber: `PO-${cartOrderId}`, provider: "Print Lab", outcome: "withdrawn" },
      ],
    });
    const cancel = calls.find((c) => c.operation === "OrderlaneCancel")!;
    expect(cancel.variables).toMatchObject({
      orderId: `gid://shopify/Order/${cartOrderId}`,
      reason: "CUSTOMER",
      refundMethod: { originalPaymentMethodsRefund: true },
      restock: true,
      notifyCustomer: true,
    });
    expect(calls.map((c) => c.operation)).toEqual([
      "OrderlaneCancel",
      "OrderlaneJob",
      "OrderlaneOrder",
    ]);
    const [stored] = await app.ctx.db.select().from(orders).where(eq(orders.id, order.id));
    expect(stored!.cartStatus).not.toBe("processing");
    expect(stored!.orderStatusKey).toBe("cancelled");
    const [po] = await app.ctx.db
      .select()
      .from(submissions)
      .where(eq(submissions.orderId, order.id));
    expect(po!.state).toBe("cancelled");
    const [done] = await eventsOf(order.id, "order_cancelled");
    expect(done!.actorName).toBe('API token "Tests"');

    // A second cancel: the lifecycle table refuses it, and Shopify is not asked again.
    const again = await call(token, `/api/v1/orders/${order.id}/cancel`, {
      reason: "customer",
      notifyCustomer: false,
    });
    expect(again.status).toBe(409);
    const { error } = (await again.json()) as { error: { message: string } };
    expect(error.message).toBe("This order is already cancelled.");
    expect(calls.filter((c) => c.operation === "OrderlaneCancel")).toHaveLength(1);
  });

  it("a cancel Shopify refuses: its words, nothing changed, the timeline says refused", async () => {
    const { shop, order, token } = await shopifyOrder();
    const calls = mockShopifyAdmin(shop.domain, {
      OrderlaneCancel: () => ({
        data: {
          orderCancel: {
            job: null,
            orderCancelUserErrors: [
              { field: ["orderId"], message: "Cannot cancel a fulfilled order", code: "INVALID" },
            ],
          },
        },
      }),
    });
    const res = await call(token, `/api/v1/orders/${order.id}/cancel`, {
      reason: "inventory",
      notifyCustomer: false,
      restock: false,
    });
    expect(res.status).toBe(409);
    const { error } = (await res.json()) as { error: { message: string } };
    expect(error.message).toBe("Shopify refused: Cannot cancel a fulfilled order");
    expect(calls[0]!.variables).toMatchObject({ reason: "INVENTORY", restock: false });
    const [stored] = await app.ctx.db.select().from(orders).where(eq(orders.id, order.id));
    expect(stored).toMatchObject({
      cartStatus: "processing",
      orderStatusKey: order.orderStatusKey,
    });
    const [po] = await app.ctx.db
      .select()
      .from(submissions)
      .where(eq(submissions.orderId, order.id));
    expect(po!.state).toBe("pending");
    const [refusal] = await eventsOf(order.id, "cancel_refused");
    expect(refusal!.message).toContain("Cannot cancel a fulfilled order");
  });

  it("bad input is 400, another shop's order 404, a missing token 401", async () => {
    const mine = await shopifyOrder();
    const theirs = await shopifyOrder();
    const calls = mockShopifyAdmin(theirs.shop.domain, {});
    const path = `/api/v1/orders/${mine.order.id}/cancel`;
    for (const body of [
      { reason: "bored", notifyCustomer: false },
      { reason: "customer" },
      { reason: "customer", notifyCustomer: "yes" },
      {},
    ]) {
      const res = await call(mine.token, path, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    const bad = await call(mine.token, path, { reason: "bored", notifyCustomer: false });
    const { error } = (await bad.json()) as { error: { message: string } };
    expect(error.message).toMatch(/customer, inventory, fraud, declined, staff, other/);
    const other = await call(mine.token, `/api/v1/orders/${theirs.order.id}/cancel`, {
      reason: "customer",
      notifyCustomer: false,
    });
    expect(other.status).toBe(404);
    const anonymous = await call(null, path, { reason: "customer", notifyCustomer: false });
    expect(anonymous.status).toBe(401);
    expect(calls).toEqual([]);
  });
});

async function wooShop() {
  const shop = await ensureShop(app.ctx.db, {
    platform: "woocommerce",
    domain: `store-${randomUUID().slice(0, 8)}.example`,
    name: "Woo store",
  });
  const credentials = sealSecret(
    app.ctx.config.encryptionKey,
    JSON.stringify({ consumerKey: "ck_1", consumerSecret: "cs_1", webhookSecret: "whsec" }),
  );
  await app.ctx.db.update(shops).set({ credentials }).where(eq(shops.id, shop.id));
  return shop;
}

describe("Cancel Order on a WooCommerce order", () => {
  it("refunds the captured money through the gateway, then sets cancelled, and notes to the customer", async () => {
    const shop = await wooShop();
    const order = await createOrder(app.ctx.db, shop, {
      cartOrderId: "727",
      cartStatusRaw: "processing",
      currency: "EUR",
      total: "35.00",
    });
    await app.ctx.db.insert(paymentTransactions).values({
      shopId: shop.id,
      orderId: order.id,
      kind: "capture",
      amount: "35.00",
      currency: "EUR",
      status: "success",
      gateway: "stripe",
      cartTransactionId: "ch_727",
    });
    const token = await tokenFor(shop.id);
    const base = `https://${shop.domain}/wp-json/wc/v3/orders/727`;
    const seen: { method: string; path: string; body: unknown }[] = [];
    mswServer.use(
      http.post(`${base}/refunds`, async ({ request }) => {
        const body = await request.json();
        seen.push({ method: "POST", path: "refunds", body });
        return HttpResponse.json(
          { id: 731, amount: "35.00", refunded_payment: true },
          { status: 201 },
        );
      }),
      http.put(base, async ({ request }) => {
        const body = await request.json();
        seen.push({ method: "PUT", path: "order", body });
        return HttpResponse.json({ id: 727, status: "cancelled" });
      }),
      http.post(`${base}/notes`, async ({ request }) => {
        const body = await request.json();
        seen.push({ method: "POST", path: "notes", body });
        return HttpResponse.json({ id: 88, ...(body as object) }, { status: 201 });
      }),
      // The read-back: the order as WooCommerce now has it, its refund listed.
      http.get(base, () =>
        HttpResponse.json(
          wooOrder({
            id: 727,
            status: "cancelled",
            modified: new Date(Date.now() + 60_000).toISOString().slice(0, 19),
            currency: "EUR",
            total: "35.00",
            transaction_id: "ch_727",
            refunds: [{ id: 731, reason: "Cancelled in Orderlane", total: "-35.00" }],
          }),
        ),
      ),
    );
    const res = await call(token, `/api/v1/orders/${order.id}/cancel`, {
      reason: "declined",
      notifyCustomer: true,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ refunded: "35.00", voided: "0.00", currency: "EUR" });
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual([
      "POST refunds",
      "PUT order",
      "POST notes",
    ]);
    expect(seen[0]!.body).toMatchObject({ amount: "35.00", api_refund: true });
    expect(seen[1]!.body).toEqual({ status: "cancelled" });
    expect(seen[2]!.body).toMatchObject({ customer_note: true });
    const [stored] = await app.ctx.db.select().from(orders).where(eq(orders.id, order.id));
    expect(stored).toMatchObject({ cartStatus: "cancelled", cartStatusRaw: "cancelled" });
  });

  it("a refund the gateway refuses: WooCommerce's words, the order left as it was", async () => {
    const shop = await wooShop();
    const order = await createOrder(app.ctx.db, shop, {
      cartOrderId: "728",
      cartStatusRaw: "processing",
      currency: "EUR",
      total: "35.00",
    });
    await app.ctx.db.insert(paymentTransactions).values({
      shopId: shop.id,
      orderId: order.id,
      kind: "capture",
      amount: "35.00",
      currency: "EUR",
      status: "success",
      gateway: "cheque",
      cartTransactionId: "c_728",
    });
    const token = await tokenFor(shop.id);
    const base = `https://${shop.domain}/wp-json/wc/v3/orders/728`;
    let statusWritten = false;
    mswServer.use(
      http.post(`${base}/refunds`, () =>
        HttpResponse.json(
          {
            code: "woocommerce_rest_cannot_create_order_refund",
            message: "The payment gateway for this order does not support automatic refunds.",
            data: { status: 500 },
          },
          { status: 500 },
        ),
      ),
      http.put(base, () => {
        statusWritten = true;
        return HttpResponse.json({ id: 728, status: "cancelled" });
      }),
    );
    const res = await call(token, `/api/v1/orders/${order.id}/cancel`, {
      reason: "customer",
      notifyCustomer: false,
    });
    expect(res.status).toBe(409);
    const { error } = (await res.json()) as { error: { message: string } };
    expect(error.message).toContain("does not support automatic refunds");
    expect(statusWritten).toBe(false);
    const [stored] = await app.ctx.db.select().from(orders).where(eq(orders.id, order.id));
    expect(stored).toMatchObject({ cartStatus: "processing", cartStatusRaw: "processing" });
  });
});
