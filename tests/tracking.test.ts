import { eq } from "drizzle-orm";
import { http, HttpResponse } from "msw";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flowTriggerEvents, lineItems, shipments, shops, submissions } from "~/db/schema";
import { sendFlowTrigger } from "~/carts/shopify/flow-triggers.server";
import { applyProviderEvent } from "~/fulfillment/provider-events.server";
import { pushTracking } from "~/fulfillment/tracking.server";
import { reportSentToCart } from "~/fulfillment/report-sent.server";
import { wooOrder } from "~/carts/woocommerce/test-fixtures";
import { RetryLater } from "~/jobs/queues";
import { sealSecret } from "~/security/encryption.server";
import { closeVite, startTestApp, type TestApp } from "./support/app";
import { createOrder, createSession } from "./support/factories";
import { orderState, shopWithSandbox } from "./support/fulfillment";
import { mswServer } from "./support/msw";
import { graphqlOrderNode, mockShopifyAdmin } from "./support/shopify-orders";
import { STARTUP_TIMEOUT_MS } from "./support/startup";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await app?.close();
  await closeVite();
});

/** An order already at its provider, with two lines; returns a function that ships some of them. */
async function sentOrder(platform: "shopify" | "woocommerce") {
  const { shop, providerId } = await shopWithSandbox(
    app.ctx,
    { url: "http://127.0.0.1:9" },
    {
      platform: platform === "shopify" ? "shopify" : "demo",
    },
  );
  if (platform === "woocommerce") {
    await app.ctx.db
      .update(shops)
      .set({
        platform: "woocommerce",
        domain: `${shop.domain.split(".")[0]}.example`,
        credentials: sealSecret(
          app.ctx.config.encryptionKey,
          JSON.stringify({ consumerKey: "ck_test", consumerSecret: "cs_test" }),
        ),
      })
      .where(eq(shops.id, shop.id));
  }
  const [stored] = await app.ctx.db.select().from(shops).where(eq(shops.id, shop.id));
  if (platform === "shopify") await createSession(app.ctx.db, stored!.domain);
  const order = await createOrder(
    app.ctx.db,
    stored!,
    { cartOrderId: "450789469", state: "open" },
    [
      {
        cartLineId: "1071823170",
        sku: "TEE-BLK-M",
        quantity: 1,
        personalization: null,
        providerId,
      },
      { cartLineId: "1071823171", sku: "MUG-11OZ", quantity: 2, personalization: null, providerId },
    ],
  );
  const [submission] = await app.ctx.db
    .insert(submissions)
    .values({
      shopId: shop.id,
      orderId: order.id,
      providerId,
      poNumber: `OL-${order.id.slice(0, 8)}-1`,
      idempotencyKey: `ol_${order.id}`,
      state: "submitted",
      providerOrderId: "SBX-1",
      attempts: 1,
    })
    .returning();
  const items = await app.ctx.db.select().from(lineItems).where(eq(lineItems.orderId, order.id));
  const ship = async (tracking: string, lines: { sku: string; quantity: number }[] | "all") => {
    await applyProviderEvent(app.ctx, {
      providerId,
      submissionId: submission!.id,
      event: {
        type: "shipped",
        eventId: tracking,
        providerOrderId: "SBX-1",
        shipment: {
          carrier: "UPS",
          trackingNumber: tracking,
          trackingUrl: `https://track.example/${tracking}`,
          shippedAt: new Date().toISOString(),
          items:
            lines === "all"
              ? "all"
              : lines.map((l) => ({
                  lineId: items.find((i) => i.sku === l.sku)!.id,
                  quantity: l.quantity,
                })),
        },
      },
    });
    const [parcel] = await app.ctx.db
      .select()
      .from(shipments)
      .where(eq(shipments.trackingNumber, tracking));
    return { shopId: shop.id, shipmentId: parcel!.id };
  };
  return { shop: stored!, order, ship, submission: submission! };
}

/** The order as Shopify's `order(id:)` answers once the parcel is fulfilled, with our two lines. */
function fulfilledInShopify(updatedAt: Date) {
  const line = (id: string, sku: string, quantity: number) => ({
    id: `gid://shopify/LineItem/${id}`,
    sku,
    title: sku === "MUG-11OZ" ? "Mug" : "Tee",
    variantTitle: null,
    quantity,
    originalUnitPriceSet: { shopMoney: { amount: "15.0" } },
    image: null,
    product: { id: "gid://shopify/Product/901", onlineStoreUrl: null },
    variant: { id: "gid://shopify/ProductVariant/902" },
    customAttributes: [],
  });
  return {
    data: {
      order: {
        ...graphqlOrderNode({
          id: "450789469",
          name: "#1001",
          fulfillment: "FULFILLED",
          updatedAt: updatedAt.toISOString(),
        }),
        lineItems: {
          pageInfo: { hasNextPage: false },
          nodes: [line("1071823170", "TEE-BLK-M", 1), line("1071823171", "MUG-11OZ", 2)],
        },
      },
    },
  };
}

const fulfillmentOrders = {
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
};

describe("tracking back to Shopify", () => {
  it("creates a fulfillment with the tracking on the order's fulfillment order lines, then closes the order", async () => {
    const { shop, order, ship } = await sentOrder("shopify");
    const mutations: { variables: { fulfillment: Record<string, unknown> } }[] = [];
    mswServer.use(
      http.post(`https://${shop.domain}/admin/api/2026-10/graphql.json`, async ({ request }) => {
        expect(request.headers.get("x-shopify-access-token")).toBe("shpat_test");
        const body = (await request.json()) as {
          query: string;
          variables: { fulfillment: Record<string, unknown> };
        };
        if (body.query.includes("fulfillmentOrders")) return HttpResponse.json(fulfillmentOrders);
        // The order read after the fulfillment (Shopify's answer) is checked in its own test.
        if (body.query.includes("OrderlaneOrder("))
          return HttpResponse.json({ data: { order: null } });
        mutations.push(body);
        return HttpResponse.json({
          data: {
            fulfillmentCreate: {
              fulfillment: { id: "gid://shopify/Fulfillment/1", status: "SUCCESS" },
              userErrors: [],
            },
          },
        });
      }),
    );
    const job = await ship("1Z999", "all");
    await pushTracking(app.ctx, job, { lastAttempt: false });

    expect(mutations).toHaveLength(1);
    expect(mutations[0]!.variables.fulfillment).toEqual({
      lineItemsByFulfillmentOrder: [
        {
          fulfillmentOrderId: "gid://shopify/FulfillmentOrder/1046000778",
          fulfillmentOrderLineItems: [
            { id: "gid://shopify/FulfillmentOrderLineItem/1", quantity: 1 },
            { id: "gid://shopify/FulfillmentOrderLineItem/2", quantity: 2 },
          ],
        },
      ],
      notifyCustomer: true,
      trackingInfo: { company: "UPS", number: "1Z999", url: "https://track.example/1Z999" },
    });
    const state = await orderState(app.ctx, order.id);
    expect(state.shipments[0]!.pushedToCartAt).toBeInstanceOf(Date);
    expect(state.order.state).toBe("closed");
  });

  it("stores Shopify's answer, so the order says fulfilled at once instead of 'paid, unfulfilled'", async () => {
    const { shop, order, ship } = await sentOrder("shopify");
    const later = new Date(Date.now() + 60_000);
    const calls = mockShopifyAdmin(shop.domain, {
      OrderlaneFulfillmentOrders: () => fulfillmentOrders,
      OrderlaneFulfillmentCreate: () => ({
        data: {
          fulfillmentCreate: {
            fulfillment: { id: "gid://shopify/Fulfillment/1", status: "SUCCESS" },
            userErrors: [],
          },
        },
      }),
      OrderlaneOrder: () => fulfilledInShopify(later),
    });
    await pushTracking(app.ctx, await ship("1ZANSWER", "all"), { lastAttempt: false });

    expect(calls.map((c) => c.operation)).toEqual([
      "OrderlaneFulfillmentOrders",
      "OrderlaneFulfillmentCreate",
      "OrderlaneOrder",
    ]);
    const state = await orderState(app.ctx, order.id);
    expect(state.order.state).toBe("closed");
    expect(state.order.cartStatus).toBe("completed");
    expect(state.order.cartStatusRaw).toBe("paid, fulfilled");
    expect(state.order.cartUpdatedAt.getTime()).toBe(later.getTime());
    // The lines the parcel carried are the same lines, still shipped.
    expect(state.order.state).toBe("closed");
  });

  it("a partial shipment pushes its own lines and keeps the order open until the rest ships", async () => {
    const { shop, order, ship } = await sentOrder("shopify");
    const pushed: unknown[] = [];
    mswServer.use(
      http.post(`https://${shop.domain}/admin/api/2026-10/graphql.json`, async ({ request }) => {
        const body = (await request.json()) as {
          query: string;
          variables: { fulfillment: unknown };
        };
        if (body.query.includes("fulfillmentOrders")) return HttpResponse.json(fulfillmentOrders);
        pushed.push(body.variables.fulfillment);
        return HttpResponse.json({
          data: {
            fulfillmentCreate: {
              fulfillment: { id: "gid://shopify/Fulfillment/2" },
              userErrors: [],
            },
          },
        });
      }),
    );
    await pushTracking(app.ctx, await ship("1ZPART1", [{ sku: "MUG-11OZ", quantity: 2 }]), {
      lastAttempt: false,
    });
    expect(pushed[0]).toMatchObject({
      lineItemsByFulfillmentOrder: [
        {
          fulfillmentOrderLineItems: [
            { id: "gid://shopify/FulfillmentOrderLineItem/2", quantity: 2 },
          ],
        },
      ],
    });
    expect((await orderState(app.ctx, order.id)).order.state).toBe("open");
    await pushTracking(app.ctx, await ship("1ZPART2", [{ sku: "TEE-BLK-M", quantity: 1 }]), {
      lastAttempt: false,
    });
    expect((await orderState(app.ctx, order.id)).order.state).toBe("closed");
  });

  it("Shopify refusing the fulfillment is shown on the order and not retried", async () => {
    const { shop, order, ship } = await sentOrder("shopify");
    mswServer.use(
      http.post(`https://${shop.domain}/admin/api/2026-10/graphql.json`, async ({ request }) => {
        const body = (await request.json()) as { query: string };
        if (body.query.includes("fulfillmentOrders")) return HttpResponse.json(fulfillmentOrders);
        return HttpResponse.json({
          data: {
            fulfillmentCreate: {
              fulfillment: null,
              userErrors: [{ field: ["fulfillment"], message: "Fulfillment order is on hold" }],
            },
          },
        });
      }),
    );
    await pushTracking(app.ctx, await ship("1ZHOLD", "all"), { lastAttempt: false });
    const state = await orderState(app.ctx, order.id);
    expect(state.shipments[0]!.pushError).toBe(
      "Shopify refused the fulfillment: Fulfillment order is on hold",
    );
    expect(state.shipments[0]!.pushedToCartAt).toBeNull();
    expect(state.order.state).toBe("open");
    expect(state.timeline.map((e) => e.action)).toContain("tracking_push_failed");
  });

  it("Shopify being down is retried later, and the error is shown meanwhile", async () => {
    const { shop, order, ship } = await sentOrder("shopify");
    mswServer.use(
      http.post(`https://${shop.domain}/admin/api/2026-10/graphql.json`, () =>
        HttpResponse.json({ errors: "Internal error" }, { status: 503 }),
      ),
    );
    const job = await ship("1ZDOWN", "all");
    await expect(pushTracking(app.ctx, job, { lastAttempt: false })).rejects.toThrow(RetryLater);
    const state = await orderState(app.ctx, order.id);
    expect(state.shipments[0]!.pushError).toMatch(/^Shopify: /);
    expect(state.order.state).toBe("open");
  });
});

describe("Shopify Flow: Order shipped", () => {
  it("tracking in Shopify queues the 'Order shipped' trigger once, and the worker sends it", async () => {
    const { shop, order, ship } = await sentOrder("shopify");
    const calls = mockShopifyAdmin(shop.domain, {
      OrderlaneFulfillmentOrders: () => fulfillmentOrders,
      OrderlaneFulfillmentCreate: () => ({
        data: {
          fulfillmentCreate: {
            fulfillment: { id: "gid://shopify/Fulfillment/9", status: "SUCCESS" },
            userErrors: [],
          },
        },
      }),
      OrderlaneOrder: () => ({ data: { order: null } }),
      OrderlaneFlowTrigger: () => ({ data: { flowTriggerReceive: { userErrors: [] } } }),
    });
    const job = await ship("1ZFLOW", "all");
    await pushTracking(app.ctx, job, { lastAttempt: false });
    // A second delivery of the push job finds the tracking pushed and queues nothing more.
    await pushTracking(app.ctx, job, { lastAttempt: false });

    const rows = await app.ctx.db
      .select()
      .from(flowTriggerEvents)
      .where(eq(flowTriggerEvents.shopId, shop.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      trigger: "orderlane-order-shipped",
      eventKey: `shipment:${job.shipmentId}`,
      status: "pending",
      payload: {
        order_id: 450789469,
        "Order number": order.cartOrderNumber,
        Provider: "Sandbox Printer",
        Carrier: "UPS",
        "Tracking number": "1ZFLOW",
        "Tracking URL": "https://track.example/1ZFLOW",
      },
    });
    await sendFlowTrigger(
      app.ctx,
      { shopId: shop.id, eventId: rows[0]!.id },
      { lastAttempt: false },
    );
    const flow = calls.filter((c) => c.operation === "OrderlaneFlowTrigger");
    expect(flow).toHaveLength(1);
    expect(flow[0]!.variables).toEqual({
      handle: "orderlane-order-shipped",
      payload: rows[0]!.payload,
    });
  });

  it("a WooCommerce shop has no Flow: nothing is queued", async () => {
    const { shop, ship } = await sentOrder("woocommerce");
    const base = `https://${shop.domain}/wp-json`;
    mswServer.use(
      http.get(`${base}/wc/v3/orders/450789469/notes`, () => HttpResponse.json([])),
      http.post(`${base}/wc-shipment-tracking/v3/orders/450789469/shipment-trackings`, () =>
        HttpResponse.json({ tracking_id: "abc" }, { status: 201 }),
      ),
      http.post(`${base}/wc/v3/orders/450789469/notes`, () =>
        HttpResponse.json({ id: 281 }, { status: 201 }),
      ),
      http.put(`${base}/wc/v3/orders/450789469`, () =>
        HttpResponse.json({ id: 450789469, status: "completed" }),
      ),
    );
    await pushTracking(app.ctx, await ship("1ZWOOFLOW", "all"), { lastAttempt: false });
    const [pushed] = await app.ctx.db
      .select()
      .from(shipments)
      .where(eq(shipments.trackingNumber, "1ZWOOFLOW"));
    expect(pushed!.pushedToCartAt).toBeInstanceOf(Date);
    const rows = await app.ctx.db
      .select()
      .from(flowTriggerEvents)
      .where(eq(flowTriggerEvents.shopId, shop.id));
    expect(rows).toHaveLength(0);
  });
});

describe("tracking back to WooCommerce", () => {
  it("adds the tracking, a customer note with the link, and completes the order", async () => {
    const { shop, order, ship } = await sentOrder("woocommerce");
    const base = `https://${shop.domain}/wp-json`;
    const calls: { method: string; path: string; body: unknown }[] = [];
    const record = async (request: Request) => {
      const url = new URL(request.url);
      calls.push({
        method: request.method,
        path: url.pathname,
        body: request.method === "GET" ? null : await request.json(),
      });
    };
    mswServer.use(
      http.get(`${base}/wc/v3/orders/450789469/notes`, async ({ request }) => {
        await record(request);
        return HttpResponse.json([]);
      }),
      http.post(
        `${base}/wc-shipment-tracking/v3/orders/450789469/shipment-trackings`,
        async ({ request }) => {
          await record(request);
          return HttpResponse.json({ tracking_id: "abc" }, { status: 201 });
        },
      ),
      http.post(`${base}/wc/v3/orders/450789469/notes`, async ({ request }) => {
        await record(request);
        return HttpResponse.json({ id: 281 }, { status: 201 });
      }),
      http.put(`${base}/wc/v3/orders/450789469`, async ({ request }) => {
        await record(request);
        return HttpResponse.json({ id: 450789469, status: "completed" });
      }),
    );
    await pushTracking(app.ctx, await ship("1ZWOO", "all"), { lastAttempt: false });
    expect(calls.map((c) => `${c.method} ${c.path.replace("/wp-json/", "")}`)).toEqual([
      "GET wc/v3/orders/450789469/notes",
      "POST wc-shipment-tracking/v3/orders/450789469/shipment-trackings",
      "POST wc/v3/orders/450789469/notes",
      "PUT wc/v3/orders/450789469",
    ]);
    expect(calls[1]!.body).toMatchObject({
      tracking_number: "1ZWOO",
      custom_tracking_provider: "UPS",
    });
    expect(calls[2]!.body).toEqual({
      note: "Your order has shipped with UPS. Tracking number 1ZWOO: https://track.example/1ZWOO",
      customer_note: true,
    });
    expect(calls[3]!.body).toEqual({ status: "completed" });
    expect((await orderState(app.ctx, order.id)).order.state).toBe("closed");
  });

  it("stores the completed order WooCommerce answers with, so the catalog says Completed at once", async () => {
    const { shop, order, ship } = await sentOrder("woocommerce");
    const base = `https://${shop.domain}/wp-json`;
    const modified = new Date(Date.now() + 60_000).toISOString().slice(0, 19);
    mswServer.use(
      http.get(`${base}/wc/v3/orders/450789469/notes`, () => HttpResponse.json([])),
      http.post(`${base}/wc-shipment-tracking/v3/orders/450789469/shipment-trackings`, () =>
        HttpResponse.json({ tracking_id: "abc" }, { status: 201 }),
      ),
      http.post(`${base}/wc/v3/orders/450789469/notes`, () =>
        HttpResponse.json({ id: 282 }, { status: 201 }),
      ),
      http.put(`${base}/wc/v3/orders/450789469`, () =>
        HttpResponse.json(
          wooOrder({
            id: 450789469,
            status: "completed",
            modified,
            line_items: [
              {
                id: 1071823170,
                name: "Tee",
                sku: "TEE-BLK-M",
                quantity: 1,
                price: 15,
                meta_data: [],
              },
              {
                id: 1071823171,
                name: "Mug",
                sku: "MUG-11OZ",
                quantity: 2,
                price: 7.5,
                meta_data: [],
              },
            ],
          }),
        ),
      ),
    );
    await pushTracking(app.ctx, await ship("1ZWOOANSWER", "all"), { lastAttempt: false });
    const state = await orderState(app.ctx, order.id);
    expect(state.order.state).toBe("closed");
    expect(state.order.cartStatus).toBe("completed");
    expect(state.order.cartStatusRaw).toBe("completed");
  });

  it("works without the Shipment Tracking extension, and never notes the same parcel twice", async () => {
    const { shop, ship } = await sentOrder("woocommerce");
    const base = `https://${shop.domain}/wp-json`;
    let notesPosted = 0;
    mswServer.use(
      http.get(`${base}/wc/v3/orders/450789469/notes`, () =>
        HttpResponse.json(notesPosted > 0 ? [{ note: "Tracking number 1ZAGAIN" }] : []),
      ),
      http.post(`${base}/wc-shipment-tracking/v3/orders/450789469/shipment-trackings`, () =>
        HttpResponse.json(
          { code: "rest_no_route", message: "No route was found" },
          { status: 404 },
        ),
      ),
      http.post(`${base}/wc/v3/orders/450789469/notes`, () => {
        notesPosted++;
        return HttpResponse.json({ id: 1 }, { status: 201 });
      }),
      http.put(`${base}/wc/v3/orders/450789469`, () =>
        HttpResponse.json({ code: "internal", message: "Database busy" }, { status: 500 }),
      ),
    );
    const job = await ship("1ZAGAIN", "all");
    await expect(pushTracking(app.ctx, job, { lastAttempt: false })).rejects.toThrow(
      /Database busy/,
    );
    await expect(pushTracking(app.ctx, job, { lastAttempt: false })).rejects.toThrow(
      /Database busy/,
    );
    expect(notesPosted).toBe(1);
  });

  it("a store whose keys are gone says to connect it again", async () => {
    const { order, ship } = await sentOrder("woocommerce");
    await app.ctx.db.update(shops).set({ credentials: null }).where(eq(shops.id, order.shopId));
    await pushTracking(app.ctx, await ship("1ZNOKEYS", "all"), { lastAttempt: false });
    const state = await orderState(app.ctx, order.id);
    expect(state.shipments[0]!.pushError).toMatch(/connect the store again/);
  });
});

describe("the cart hears that the order was sent", () => {
  it("Shopify: the fulfillment order is reported in progress, naming the provider and purchase order", async () => {
    const { shop, order, submission } = await sentOrder("shopify");
    const calls = mockShopifyAdmin(shop.domain, {
      OrderlaneFulfillmentOrders: () => fulfillmentOrders,
      OrderlaneReportProgress: () => ({
        data: {
          fulfillmentOrderReportProgress: {
            fulfillmentOrder: {
              id: "gid://shopify/FulfillmentOrder/1046000778",
              status: "IN_PROGRESS",
            },
            userErrors: [],
          },
        },
      }),
    });
    await reportSentToCart(
      app.ctx,
      { shopId: shop.id, submissionId: submission.id },
      { lastAttempt: false },
    );
    const reports = calls.filter((c) => c.operation === "OrderlaneReportProgress");
    expect(reports).toHaveLength(1);
    expect(reports[0]!.variables).toEqual({
      id: "gid://shopify/FulfillmentOrder/1046000778",
      report: {
        reasonNotes: `Sent to Sandbox Printer as purchase order ${submission.poNumber} by Orderlane`,
      },
    });
    const { timeline } = await orderState(app.ctx, order.id);
    expect(timeline.at(-1)).toMatchObject({
      action: "cart_told_sent",
      message: `The cart now shows that ${submission.poNumber} went to Sandbox Printer`,
    });
  });

  it("Shopify down is retried later; a refusal is written on the timeline and not retried", async () => {
    const { shop, order, submission } = await sentOrder("shopify");
    mockShopifyAdmin(shop.domain, {
      OrderlaneFulfillmentOrders: () => new HttpResponse("Service Unavailable", { status: 503 }),
    });
    const job = { shopId: shop.id, submissionId: submission.id };
    await expect(reportSentToCart(app.ctx, job, { lastAttempt: false })).rejects.toThrow(
      RetryLater,
    );
    mockShopifyAdmin(shop.domain, {
      OrderlaneFulfillmentOrders: () => fulfillmentOrders,
      OrderlaneReportProgress: () => ({
        data: {
          fulfillmentOrderReportProgress: {
            fulfillmentOrder: null,
            userErrors: [
              {
                field: ["id"],
                message: "Fulfillment order is not assignable",
                code: "FULFILLMENT_ORDER_UNSUPPORTED_ACTION",
              },
            ],
          },
        },
      }),
    });
    await reportSentToCart(app.ctx, job, { lastAttempt: false });
    const { timeline } = await orderState(app.ctx, order.id);
    expect(timeline.at(-1)).toMatchObject({ action: "cart_not_told_sent" });
    expect(timeline.at(-1)!.message).toMatch(/Fulfillment order is not assignable/);
  });

  it("WooCommerce: a private note names the provider and purchase order, once even when retried", async () => {
    const { shop, submission } = await sentOrder("woocommerce");
    const base = `https://${shop.domain}/wp-json`;
    const posted: { note: string; customer_note: boolean }[] = [];
    mswServer.use(
      http.get(`${base}/wc/v3/orders/450789469/notes`, () =>
        HttpResponse.json(posted.map((p, i) => ({ id: i + 1, ...p }))),
      ),
      http.post(`${base}/wc/v3/orders/450789469/notes`, async ({ request }) => {
        posted.push((await request.json()) as { note: string; customer_note: boolean });
        return HttpResponse.json({ id: posted.length }, { status: 201 });
      }),
    );
    const job = { shopId: shop.id, submissionId: submission.id };
    await reportSentToCart(app.ctx, job, { lastAttempt: false });
    await reportSentToCart(app.ctx, job, { lastAttempt: false });
    expect(posted).toEqual([
      {
        note: `Orderlane sent this order to Sandbox Printer as purchase order ${submission.poNumber}.`,
        customer_note: false,
      },
    ]);
  });

  it("a purchase order cancelled before the job ran tells the cart nothing", async () => {
    const { shop, order, submission } = await sentOrder("woocommerce");
    await app.ctx.db
      .update(submissions)
      .set({ state: "cancelled" })
      .where(eq(submissions.id, submission.id));
    // No WooCommerce handler: a call would fail the test through msw's unhandled-request error.
    await reportSentToCart(
      app.ctx,
      { shopId: shop.id, submissionId: submission.id },
      { lastAttempt: false },
    );
    const { timeline } = await orderState(app.ctx, order.id);
    expect(timeline.map((e) => e.action)).not.toContain("cart_told_sent");
  });
});
