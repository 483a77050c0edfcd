import { eq } from "drizzle-orm";
import { http, HttpResponse } from "msw";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lineItems, shipments, shops, submissions } from "~/db/schema";
import { applyProviderEvent } from "~/fulfillment/provider-events.server";
import { pushTracking } from "~/fulfillment/tracking.server";
import { RetryLater } from "~/jobs/queues";
import { sealSecret } from "~/security/encryption.server";
import { closeVite, startTestApp, type TestApp } from "./support/app";
import { createOrder, createSession } from "./support/factories";
import { orderState, shopWithSandbox } from "./support/fulfillment";
import { mswServer } from "./support/msw";
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
  return { shop: stored!, order, ship };
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
