import { asc, eq } from "drizzle-orm";
import { http, HttpResponse } from "msw";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orderEvents, orders } from "~/db/schema";
import { changeOrderStatus } from "~/orders/set-cart-status.server";
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

const owner = { actor: "owner" as const, name: "Sam (owner)" };

async function shopifyOrderCountingDown() {
  const shop = await createShop(app.ctx.db);
  await createSession(app.ctx.db, shop.domain);
  const order = await createOrder(app.ctx.db, shop, {
    cartStatusRaw: "paid",
    autoSubmitAt: new Date(Date.now() + 30 * 60_000),
  });
  return { shop, order };
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

describe("changing the cart status from the app", () => {
  it("hold: Shopify holds the fulfillment order, then the order is stored on hold", async () => {
    const { shop, order } = await shopifyOrderCountingDown();
    const calls = mockShopifyAdmin(shop.domain, {
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
    const result = await changeOrderStatus(app.ctx, shop.id, order.id, "hold", owner);
    expect(result).toMatchObject({ ok: true });
    expect(calls.map((c) => c.operation)).toEqual(["OrderlaneFulfillmentOrders", "OrderlaneHold"]);
    expect(calls[1]!.variables.id).toBe("gid://shopify/FulfillmentOrder/31");
    const { order: after, events } = await reload(order.id);
    expect(after.cartStatus).toBe("on_hold");
    expect(after.state).toBe("on_hold");
    expect(after.autoSubmitAt).toBeNull();
    expect(after.autoSubmitRemainingMs).toBeGreaterThan(29 * 60_000);
    expect(events.map((e) => `${e.actor}:${e.action}`)).toEqual(
      expect.arrayContaining(["owner:cart_hold", "owner:hold"]),
    );
  });

  it("release: Shopify releases the hold, then the countdown resumes with the time left", async () => {
    const { shop, order } = await shopifyOrderCountingDown();
    await app.ctx.db
      .update(orders)
      .set({
        state: "on_hold",
        cartStatus: "on_hold",
        autoSubmitAt: null,
        autoSubmitRemainingMs: 12 * 60_000,
      })
      .where(eq(orders.id, order.id));
    mockShopifyAdmin(shop.domain, {
      OrderlaneFulfillmentOrders: fulfillmentOrders("ON_HOLD"),
      OrderlaneReleaseHold: () => ({
        data: { fulfillmentOrderReleaseHold: { fulfillmentOrder: null, userErrors: [] } },
      }),
    });
    const result = await changeOrderStatus(app.ctx, shop.id, order.id, "release", owner);
    expect(result).toMatchObject({ ok: true });
    const { order: after } = await reload(order.id);
    expect(after.state).toBe("new");
    expect(after.cartStatus).toBe("processing");
    const left = after.autoSubmitAt!.getTime() - Date.now();
    expect(left).toBeGreaterThan(11 * 60_000);
    expect(left).toBeLessThanOrEqual(12 * 60_000);
  });

  it("cancel: Shopify cancels without refunding, then the countdown stops", async () => {
    const { shop, order } = await shopifyOrderCountingDown();
    const calls = mockShopifyAdmin(shop.domain, {
      OrderlaneCancel: () => ({
        data: {
          orderCancel: {
            job: { id: "gid://shopify/Job/1", done: true },
            orderCancelUserErrors: [],
          },
        },
      }),
    });
    const result = await changeOrderStatus(app.ctx, shop.id, order.id, "cancel", owner);
    expect(result).toMatchObject({ ok: true });
    expect(calls[0]!.variables.refundMethod).toEqual({ originalPaymentMethodsRefund: false });
    expect(calls[0]!.variables.orderId).toBe(`gid://shopify/Order/${order.cartOrderId}`);
    const { order: after } = await reload(order.id);
    expect(after.cartStatus).toBe("cancelled");
    expect(after.autoSubmitAt).toBeNull();
  });

  it("the cart refuses: its own message is shown and nothing changes", async () => {
    const { shop, order } = await shopifyOrderCountingDown();
    mockShopifyAdmin(shop.domain, {
      OrderlaneCancel: () => ({
        data: {
          orderCancel: {
            job: null,
            orderCancelUserErrors: [
              {
                field: ["orderId"],
                message: "Cannot cancel an order with fulfilled items",
                code: "INVALID",
              },
            ],
          },
        },
      }),
    });
    const before = await reload(order.id);
    const result = await changeOrderStatus(app.ctx, shop.id, order.id, "cancel", owner);
    expect(result).toEqual({
      ok: false,
      code: "refused",
      reason: "Cannot cancel an order with fulfilled items",
    });
    const after = await reload(order.id);
    expect(after.order).toEqual(before.order);
    expect(after.events).toHaveLength(before.events.length);
  });

  it("the cart is down: a retryable failure, nothing changes", async () => {
    const { shop, order } = await shopifyOrderCountingDown();
    mswServer.use(
      http.post(`https://${shop.domain}/admin/api/2026-10/graphql.json`, () =>
        HttpResponse.text("upstream unavailable", { status: 503 }),
      ),
    );
    const before = await reload(order.id);
    const result = await changeOrderStatus(app.ctx, shop.id, order.id, "hold", owner);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/could not be reached.*try again/);
    const after = await reload(order.id);
    expect(after.order).toEqual(before.order);
    expect(after.events).toHaveLength(before.events.length);
  });

  it("the lifecycle refuses before the cart is asked", async () => {
    const { shop, order } = await shopifyOrderCountingDown();
    await app.ctx.db.update(orders).set({ state: "open" }).where(eq(orders.id, order.id));
    const calls = mockShopifyAdmin(shop.domain, {});
    const result = await changeOrderStatus(app.ctx, shop.id, order.id, "release", owner);
    expect(result).toMatchObject({ ok: false, code: "refused" });
    expect(calls).toHaveLength(0);
  });

  it("another shop's order is not found", async () => {
    const { order } = await shopifyOrderCountingDown();
    const other = await createShop(app.ctx.db);
    const result = await changeOrderStatus(app.ctx, other.id, order.id, "hold", owner);
    expect(result).toMatchObject({ ok: false, code: "not_found" });
  });
});
