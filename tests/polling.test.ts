import { eq } from "drizzle-orm";
import { http, HttpResponse } from "msw";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lineItems, providers, submissions } from "~/db/schema";
import { pollProviders } from "~/fulfillment/poll.server";
import { sealSecret } from "~/security/encryption.server";
import { closeVite, drainQueue, startTestApp, type TestApp } from "./support/app";
import { createOrder, createShop } from "./support/factories";
import { orderState } from "./support/fulfillment";
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

describe("polling providers that do not post back", () => {
  it("finds a Printful shipment by polling, stores it once however often it is seen", async () => {
    const shop = await createShop(app.ctx.db, { platform: "demo" });
    const [printful] = await app.ctx.db
      .insert(providers)
      .values({
        shopId: shop.id,
        kind: "printful",
        name: "Printful",
        credentials: sealSecret(
          app.ctx.config.encryptionKey,
          JSON.stringify({ token: "pf_token" }),
        ),
        signingSecret: sealSecret(app.ctx.config.encryptionKey, "hook-token"),
        settings: { variantIds: { "TEE-BLK-M": 4017 } },
        isDefault: true,
      })
      .returning();
    const order = await createOrder(app.ctx.db, shop, { state: "open" }, [
      { sku: "TEE-BLK-M", quantity: 2, personalization: null, providerId: printful!.id },
    ]);
    const [item] = await app.ctx.db.select().from(lineItems).where(eq(lineItems.orderId, order.id));
    await app.ctx.db.insert(submissions).values({
      shopId: shop.id,
      orderId: order.id,
      providerId: printful!.id,
      poNumber: `OL-${order.id.slice(0, 6)}-1`,
      idempotencyKey: `ol_${order.id}`,
      state: "submitted",
      providerOrderId: "13",
      attempts: 1,
    });
    let lookups = 0;
    mswServer.use(
      http.get("https://api.printful.com/orders/13", ({ request }) => {
        lookups++;
        expect(request.headers.get("authorization")).toBe("Bearer pf_token");
        return HttpResponse.json({
          code: 200,
          result: {
            id: 13,
            external_id: `OL-${order.id.slice(0, 6)}-1`,
            status: "fulfilled",
            created: 1763800000,
            updated: 1763900000,
            recipient: { name: "Ava Lindqvist", country_code: "US" },
            items: [
              { id: 501, external_id: item!.id, variant_id: 4017, quantity: 2, name: "Name Tee" },
            ],
            shipments: [
              {
                id: 10,
                carrier: "USPS",
                service: "USPS First Class Package",
                tracking_number: "9400111899223817612345",
                tracking_url: "https://myorders.co/tracking/9400111899223817612345",
                created: 1763900000,
                ship_date: "2026-11-22",
                shipped_at: 1763900000,
                reshipment: false,
                items: [{ item_id: 501, quantity: 2 }],
              },
            ],
          },
        });
      }),
    );

    const now = new Date();
    expect(await pollProviders(app.ctx, now)).toMatchObject({ events: 1 });
    // Asked again too soon: nobody is bothered.
    expect(await pollProviders(app.ctx, new Date(now.getTime() + 60_000))).toMatchObject({
      polled: 0,
    });
    // Half an hour later it is asked again; the same parcel is recognised.
    expect(await pollProviders(app.ctx, new Date(now.getTime() + 31 * 60_000))).toMatchObject({
      polled: 1,
      events: 0,
    });
    expect(lookups).toBe(2);
    await drainQueue(app.ctx, "process-webhook");
    const state = await orderState(app.ctx, order.id);
    expect(state.shipments).toHaveLength(1);
    expect(state.shipments[0]).toMatchObject({
      carrier: "USPS",
      trackingNumber: "9400111899223817612345",
    });
    expect(state.shipments[0]!.items).toEqual([{ lineItemId: item!.id, quantity: 2 }]);
  });

  it("a provider that cannot be reached is asked again on the next run", async () => {
    const shop = await createShop(app.ctx.db, { platform: "demo" });
    const [printful] = await app.ctx.db
      .insert(providers)
      .values({
        shopId: shop.id,
        kind: "printful",
        name: "Printful",
        credentials: sealSecret(
          app.ctx.config.encryptionKey,
          JSON.stringify({ token: "pf_token" }),
        ),
        settings: { variantIds: {} },
      })
      .returning();
    const order = await createOrder(app.ctx.db, shop, { state: "open" });
    await app.ctx.db.insert(submissions).values({
      shopId: shop.id,
      orderId: order.id,
      providerId: printful!.id,
      poNumber: `OL-${order.id.slice(0, 6)}-9`,
      idempotencyKey: `ol_x_${order.id}`,
      state: "submitted",
      providerOrderId: "77",
    });
    mswServer.use(
      http.get("https://api.printful.com/orders/77", () =>
        HttpResponse.text("Bad gateway", { status: 502 }),
      ),
    );
    const result = await pollProviders(app.ctx);
    expect(result.events).toBe(0);
    expect((await orderState(app.ctx, order.id)).shipments).toHaveLength(0);
  });
});
