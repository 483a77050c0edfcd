// The reconciliation sweep, through the job a worker runs: the cart (msw) has changes whose webhooks
// never arrived; one sweep brings them in through the same ingest as a webhook.
import { randomInt } from "node:crypto";
import { eq } from "drizzle-orm";
import { http, HttpResponse } from "msw";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cartReconciliations, orderEvents, orders, shops } from "~/db/schema";
import { queueDueSweeps, reconcileShop } from "~/carts/reconciliation.server";
import { wooOrder } from "~/carts/woocommerce/test-fixtures";
import { sealSecret } from "~/security/encryption.server";
import { closeVite, startTestApp, type TestApp } from "./support/app";
import { createOrder, createSession, createShop } from "./support/factories";
import { mswServer } from "./support/msw";
import { graphqlOrderWithLines, mockShopifyAdmin } from "./support/shopify-orders";
import { STARTUP_TIMEOUT_MS } from "./support/startup";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await app?.close();
  await closeVite();
});

const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000);

async function shopifyShop() {
  const shop = await createShop(app.ctx.db);
  await createSession(app.ctx.db, shop.domain);
  return shop;
}

async function wooShop() {
  const shop = await createShop(app.ctx.db, {
    platform: "woocommerce",
    domain: `store-${randomInt(1e9)}.example`,
  });
  const credentials = sealSecret(
    app.ctx.config.encryptionKey,
    JSON.stringify({ consumerKey: "ck_test", consumerSecret: "cs_test", webhookSecret: "whsec" }),
  );
  const [stored] = await app.ctx.db
    .update(shops)
    .set({ credentials })
    .where(eq(shops.id, shop.id))
    .returning();
  return stored!;
}

async function stored(shopId: string, cartOrderId: string) {
  const [order] = await app.ctx.db
    .select()
    .from(orders)
    .where(eq(orders.cartOrderId, cartOrderId))
    .then((rows) => rows.filter((r) => r.shopId === shopId));
  return order;
}

async function timelineOf(orderId: string) {
  return app.ctx.db.select().from(orderEvents).where(eq(orderEvents.orderId, orderId));
}

async function sweepRow(shopId: string) {
  const [row] = await app.ctx.db
    .select()
    .from(cartReconciliations)
    .where(eq(cartReconciliations.shopId, shopId));
  return row!;
}

/** Every page of orders Shopify answers, with the search each call asked for. */
function shopifyCart(shopDomain: string, pages: Record<string, unknown>[][]) {
  return mockShopifyAdmin(shopDomain, {
    OrderlaneOrders: ({ variables }) => {
      const index = variables.after ? Number(variables.after) : 0;
      const nodes = pages[index] ?? [];
      return {
        data: {
          orders: {
            pageInfo: {
              hasNextPage: index + 1 < pages.length,
              endCursor: index + 1 < pages.length ? String(index + 1) : null,
            },
            nodes,
          },
        },
      };
    },
  });
}

describe("reconciliation on Shopify", () => {
  it("recovers an order and an update no webhook brought, within one sweep, and says so on their timelines", async () => {
    const shop = await shopifyShop();
    const known = await createOrder(app.ctx.db, shop, {
      cartOrderId: "820982911946154508",
      cartUpdatedAt: minutesAgo(30),
    });
    const calls = shopifyCart(shop.domain, [
      [
        // The owner's customer cancelled: the orders/updated delivery was dropped.
        {
          ...graphqlOrderWithLines({
            id: "820982911946154508",
            updatedAt: minutesAgo(3).toISOString(),
          }),
          cancelledAt: minutesAgo(3).toISOString(),
        },
        // A new order whose orders/create never came.
        graphqlOrderWithLines({ id: "820982911946154509", updatedAt: minutesAgo(4).toISOString() }),
      ],
    ]);

    expect(await reconcileShop(app.ctx, { shopId: shop.id })).toEqual({
      outcome: "finished",
      recovered: 2,
      read: 2,
    });

    expect(calls[0]!.variables.query).toMatch(/^updated_at:>'[^']+' updated_at:<='[^']+'$/);
    expect((await stored(shop.id, "820982911946154508"))!.cartStatus).toBe("cancelled");
    const fresh = await stored(shop.id, "820982911946154509");
    expect(fresh).toBeDefined();
    expect((await timelineOf(fresh!.id)).map((e) => e.message)).toContain(
      "Recovered by reconciliation: the cart had it, but no webhook brought it",
    );
    expect(
      (await timelineOf(known.id)).some((e) => /recovered by reconciliation/.test(e.message ?? "")),
    ).toBe(true);
    const row = await sweepRow(shop.id);
    expect(row).toMatchObject({
      lastRecovered: 2,
      totalRecovered: 2,
      lastError: null,
      runningSince: null,
    });
    expect(row.lastFinishedAt).toBeInstanceOf(Date);
    // Shopify's subscriptions cannot be listed: what had to be recovered is the evidence.
    expect(row.webhookNotice).toMatch(
      /2 order changes reached Orderlane only through reconciliation/,
    );
  });

  it("ignores a version older than the one stored, and counts nothing a webhook already brought", async () => {
    const shop = await shopifyShop();
    const newer = minutesAgo(2);
    await createOrder(app.ctx.db, shop, {
      cartOrderId: "820982911946154600",
      cartStatus: "on_hold",
      cartStatusRaw: "paid, on_hold",
      cartUpdatedAt: newer,
    });
    const sameVersion = minutesAgo(6);
    await createOrder(app.ctx.db, shop, {
      cartOrderId: "820982911946154601",
      cartUpdatedAt: sameVersion,
    });
    shopifyCart(shop.domain, [
      [
        graphqlOrderWithLines({
          id: "820982911946154600",
          updatedAt: minutesAgo(10).toISOString(),
        }),
        graphqlOrderWithLines({ id: "820982911946154601", updatedAt: sameVersion.toISOString() }),
      ],
    ]);
    expect(await reconcileShop(app.ctx, { shopId: shop.id })).toMatchObject({ recovered: 0 });
    const kept = await stored(shop.id, "820982911946154600");
    expect(kept!.cartStatus).toBe("on_hold");
    expect(kept!.cartUpdatedAt.getTime()).toBe(newer.getTime());
    expect((await sweepRow(shop.id)).webhookNotice).toBeNull();
  });

  it("a cart that fails mid-sweep: the next sweep carries on from the page it reached, in the same window", async () => {
    const shop = await shopifyShop();
    let failSecondPage = true;
    const calls = mockShopifyAdmin(shop.domain, {
      OrderlaneOrders: ({ variables }) => {
        if (!variables.after) {
          return {
            data: {
              orders: {
                pageInfo: { hasNextPage: true, endCursor: "page-2" },
                nodes: [
                  graphqlOrderWithLines({
                    id: "820982911946154700",
                    updatedAt: minutesAgo(5).toISOString(),
                  }),
                ],
              },
            },
          };
        }
        if (failSecondPage) return new HttpResponse("Internal Server Error", { status: 500 });
        return {
          data: {
            orders: {
              pageInfo: { hasNextPage: false, endCursor: null },
              nodes: [
                graphqlOrderWithLines({
                  id: "820982911946154701",
                  updatedAt: minutesAgo(5).toISOString(),
                }),
              ],
            },
          },
        };
      },
    });

    const first = await reconcileShop(app.ctx, { shopId: shop.id });
    expect(first.outcome).toBe("stopped");
    const stopped = await sweepRow(shop.id);
    expect(stopped.resumeCursor).toBe(JSON.stringify({ after: "page-2" }));
    expect(stopped.recoveredSoFar).toBe(1);
    expect(stopped.watermark).toBeNull();
    expect(stopped.lastError).toMatch(/the next sweep carries on/);
    expect(stopped.runningSince).toBeNull();

    failSecondPage = false;
    expect(await reconcileShop(app.ctx, { shopId: shop.id })).toMatchObject({
      outcome: "finished",
      recovered: 2,
    });
    const resumed = calls.filter((c) => c.operation === "OrderlaneOrders").at(-1)!;
    expect(resumed.variables.after).toBe("page-2");
    expect(resumed.variables.query).toBe(calls[0]!.variables.query);
    const done = await sweepRow(shop.id);
    expect(done.watermark!.getTime()).toBe(stopped.windowUntil!.getTime());
    expect(done).toMatchObject({ lastRecovered: 2, lastError: null, resumeCursor: null });
    expect(await stored(shop.id, "820982911946154701")).toBeDefined();
  });

  it("the next sweep starts a little before the last one ended", async () => {
    const shop = await shopifyShop();
    const calls = shopifyCart(shop.domain, [[]]);
    await reconcileShop(app.ctx, { shopId: shop.id });
    const { watermark } = await sweepRow(shop.id);
    // Due again only after the shop's interval.
    await app.ctx.db
      .update(cartReconciliations)
      .set({ lastStartedAt: minutesAgo(16) })
      .where(eq(cartReconciliations.shopId, shop.id));
    await reconcileShop(app.ctx, { shopId: shop.id });
    const since = /updated_at:>'([^']+)'/.exec(String(calls.at(-1)!.variables.query))![1]!;
    expect(new Date(since).getTime()).toBe(watermark!.getTime() - 5 * 60_000);
  });

  it("never runs twice at once for one shop", async () => {
    const shop = await shopifyShop();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    mswServer.use(
      http.post(`https://${shop.domain}/admin/api/2026-10/graphql.json`, async () => {
        calls++;
        await gate;
        return HttpResponse.json({
          data: { orders: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] } },
        });
      }),
    );
    const first = reconcileShop(app.ctx, { shopId: shop.id });
    await expect.poll(() => calls).toBe(1);
    expect(await reconcileShop(app.ctx, { shopId: shop.id })).toEqual({ outcome: "busy" });
    release();
    expect((await first).outcome).toBe("finished");
    expect(calls).toBe(1);
  });

  it("stops for an uninstalled shop, and the schedule no longer queues it", async () => {
    const shop = await shopifyShop();
    await app.ctx.db.update(shops).set({ uninstalledAt: new Date() }).where(eq(shops.id, shop.id));
    const calls = shopifyCart(shop.domain, [[]]);
    expect(await reconcileShop(app.ctx, { shopId: shop.id })).toEqual({ outcome: "skipped" });
    expect(calls).toHaveLength(0);
    await queueDueSweeps(app.ctx);
    const queued = await app.ctx.jobs.find("reconcile-shop", { data: { shopId: shop.id } });
    expect(queued).toHaveLength(0);
  });

  it("the schedule queues a shop once its interval has passed, and only once", async () => {
    const shop = await shopifyShop();
    await queueDueSweeps(app.ctx);
    await queueDueSweeps(app.ctx);
    expect(await app.ctx.jobs.find("reconcile-shop", { data: { shopId: shop.id } })).toHaveLength(
      1,
    );
  });
});

describe("reconciliation on WooCommerce", () => {
  it("asks for orders modified in the window (GMT), recovers the missed one, and puts back a disabled webhook", async () => {
    const shop = await wooShop();
    await createOrder(app.ctx.db, shop, { cartOrderId: "4301", cartUpdatedAt: minutesAgo(40) });
    const base = `https://${shop.domain}/wp-json/wc/v3`;
    const asked: URLSearchParams[] = [];
    const webhookWrites: { method: string; path: string; body: Record<string, unknown> }[] = [];
    const deliveryUrl = `${app.ctx.config.publicUrl}/webhooks/woocommerce/${shop.id}`;
    const modified = minutesAgo(3).toISOString().slice(0, 19);
    mswServer.use(
      http.get(`${base}/orders`, ({ request }) => {
        asked.push(new URL(request.url).searchParams);
        return HttpResponse.json([wooOrder({ id: 4301, status: "on-hold", modified })], {
          headers: { "X-WP-Total": "1", "X-WP-TotalPages": "1" },
        });
      }),
      http.get(`${base}/webhooks`, () =>
        HttpResponse.json([
          { id: 11, topic: "order.created", delivery_url: deliveryUrl, status: "active" },
          { id: 12, topic: "order.updated", delivery_url: deliveryUrl, status: "disabled" },
          { id: 13, topic: "order.deleted", delivery_url: deliveryUrl, status: "active" },
        ]),
      ),
      http.put(`${base}/webhooks/:id`, async ({ request, params }) => {
        const body = (await request.json()) as Record<string, unknown>;
        webhookWrites.push({ method: "PUT", path: `webhooks/${String(params.id)}`, body });
        return HttpResponse.json({ id: Number(params.id), ...body });
      }),
      http.post(`${base}/webhooks`, async ({ request }) => {
        const body = (await request.json()) as Record<string, unknown>;
        webhookWrites.push({ method: "POST", path: "webhooks", body });
        return HttpResponse.json({ id: 14, ...body }, { status: 201 });
      }),
    );

    expect(await reconcileShop(app.ctx, { shopId: shop.id })).toMatchObject({
      outcome: "finished",
      recovered: 1,
    });
    const params = asked[0]!;
    expect(params.get("dates_are_gmt")).toBe("true");
    expect(new Date(params.get("modified_after")!).getTime()).toBeLessThan(Date.now());
    expect(new Date(params.get("modified_before")!).getTime()).toBeLessThan(Date.now());
    expect((await stored(shop.id, "4301"))!.cartStatus).toBe("on_hold");

    expect(webhookWrites.map((w) => `${w.method} ${w.path} ${String(w.body.topic)}`)).toEqual([
      "PUT webhooks/12 order.updated",
      "POST webhooks order.restored",
    ]);
    expect(webhookWrites[0]!.body).toMatchObject({
      status: "active",
      delivery_url: deliveryUrl,
      secret: "whsec",
    });
    expect((await sweepRow(shop.id)).webhookNotice).toBe(
      "Orderlane put back the store's webhooks for order updates (was disabled), restored orders (was missing).",
    );
  });
});
