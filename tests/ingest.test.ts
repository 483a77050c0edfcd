// The ingest core as Import and the WooCommerce webhooks call it: batches of normalised orders.
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NormalizedOrder } from "~/carts/connector";
import { queryRows } from "~/db/client.server";
import {
  lineItems,
  orderEvents,
  orders,
  paymentTransactions,
  providers,
  shops,
  submissions,
} from "~/db/schema";
import { removeCartOrder } from "~/orders/cart-changes.server";
import { ingestCartOrders } from "~/orders/ingest.server";
import { closeVite, startTestApp, type TestApp } from "./support/app";
import { createShop } from "./support/factories";
import { STARTUP_TIMEOUT_MS } from "./support/startup";
import { DEFAULT_SHOP_SETTINGS } from "~/orders/core/shop-settings";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await app?.close();
  await closeVite();
});

const via = { source: "import" as const };

function normalized(id: string, overrides: Partial<NormalizedOrder> = {}): NormalizedOrder {
  const at = new Date("2026-11-10T10:00:00Z");
  return {
    cartOrderId: id,
    cartOrderNumber: `#${id}`,
    cartStatusRaw: "processing",
    cartStatus: "processing",
    customerName: "Noor Haddad",
    customerEmail: "noor@example.com",
    billingAddress: null,
    shippingAddress: {
      name: "Noor Haddad",
      address1: "3 Cedar Ln",
      city: "Leeds",
      province: "West Yorkshire",
      country: "United Kingdom",
      countryCode: "GB",
    },
    currency: "GBP",
    subtotal: "20.00",
    shippingTotal: "3.00",
    taxTotal: "0",
    total: "23.00",
    paymentMethod: "Card",
    shippingMethod: "Royal Mail",
    sourceChannel: "checkout",
    note: null,
    cartCreatedAt: at,
    cartUpdatedAt: at,
    lineItems: [
      {
        cartLineId: `${id}-1`,
        sku: "SOCK-1",
        title: "Socks",
        style: "M",
        quantity: 2,
        price: "10.00",
        mockupUrl: null,
        cartProductId: "501",
        cartVariantId: "601",
        productUrl: null,
        personalization: null,
      },
    ],
    payments: [
      {
        kind: "capture",
        amount: "23.00",
        currency: "GBP",
        status: "success",
        gateway: "stripe",
        cartTransactionId: `${id}-t1`,
      },
    ],
    raw: { id },
    ...overrides,
  };
}

async function storedOrder(shopId: string, cartOrderId: string) {
  const [order] = await app.ctx.db
    .select()
    .from(orders)
    .where(and(eq(orders.shopId, shopId), eq(orders.cartOrderId, cartOrderId)));
  return order;
}

describe("ingesting cart orders", () => {
  it("answers created / updated / stale / archived / skipped per order, in the caller's order", async () => {
    const shop = await createShop(app.ctx.db, { platform: "woocommerce" });
    await ingestCartOrders(app.ctx, shop, [normalized("1"), normalized("2")], via);
    await app.ctx.db
      .update(orders)
      .set({ state: "archived" })
      .where(and(eq(orders.shopId, shop.id), eq(orders.cartOrderId, "2")));
    const later = new Date("2026-11-11T10:00:00Z");
    const earlier = new Date("2026-11-09T10:00:00Z");
    const outcomes = await ingestCartOrders(
      app.ctx,
      shop,
      [
        normalized("3"),
        normalized("1", { cartUpdatedAt: earlier, total: "1.00" }),
        normalized("2", { cartUpdatedAt: later }),
        normalized("4", { cartStatusRaw: "checkout-draft" }),
      ],
      via,
    );
    expect(outcomes.map((o) => [o.cartOrderId, o.outcome])).toEqual([
      ["3", "created"],
      ["1", "stale"],
      ["2", "archived"],
      ["4", "skipped"],
    ]);
    expect((await storedOrder(shop.id, "1"))!.total).toBe("23.0000");
    expect(await storedOrder(shop.id, "4")).toBeUndefined();
  });

  it("re-importing updates in place: lines upserted, payments added once, no duplicates", async () => {
    const shop = await createShop(app.ctx.db, { platform: "woocommerce" });
    await ingestCartOrders(app.ctx, shop, [normalized("10")], via);
    const changed = normalized("10", {
      cartUpdatedAt: new Date("2026-11-12T00:00:00Z"),
      lineItems: [
        { ...normalized("10").lineItems[0]!, quantity: 3 },
        { ...normalized("10").lineItems[0]!, cartLineId: "10-2", sku: "HAT-1", quantity: 1 },
      ],
    });
    const outcomes = await ingestCartOrders(app.ctx, shop, [changed, changed], via);
    expect(outcomes.map((o) => o.outcome)).toEqual(["updated", "updated"]);
    const order = await storedOrder(shop.id, "10");
    const items = await app.ctx.db.select().from(lineItems).where(eq(lineItems.orderId, order!.id));
    expect(items.map((i) => [i.cartLineId, i.quantity]).sort()).toEqual([
      ["10-1", 3],
      ["10-2", 1],
    ]);
    expect(order!.itemCount).toBe(4);
    const payments = await app.ctx.db
      .select()
      .from(paymentTransactions)
      .where(eq(paymentTransactions.orderId, order!.id));
    expect(payments).toHaveLength(1);
    expect(await app.ctx.db.select().from(orders).where(eq(orders.shopId, shop.id))).toHaveLength(
      1,
    );
  });

  it("an update that leaves a line as it was does not rewrite it; a changed line is rewritten", async () => {
    const shop = await createShop(app.ctx.db, { platform: "woocommerce" });
    const first = normalized("20", {
      lineItems: [
        normalized("20").lineItems[0]!,
        {
          ...normalized("20").lineItems[0]!,
          cartLineId: "20-2",
          sku: "MUG-1",
          price: "7.5",
          personalization: {
            options: [
              { name: "Name", value: "Ada" },
              { name: "Colour", value: "teal" },
            ],
            designUrl: "https://cdn.example/ada.png",
          },
        },
      ],
    });
    await ingestCartOrders(app.ctx, shop, [first], via);
    const order = (await storedOrder(shop.id, "20"))!;
    // A row's xmin is the transaction that wrote its current version.
    const versions = async () =>
      Object.fromEntries(
        (
          await queryRows<{ cart_line_id: string; xmin: string; quantity: number }>(
            app.ctx.db,
            sql`select cart_line_id, xmin::text as xmin, quantity from line_item
                where order_id = ${order.id} order by cart_line_id`,
          )
        ).map((r) => [r.cart_line_id, { xmin: r.xmin, quantity: r.quantity }]),
      );
    const before = await versions();

    // The cart sends the same lines, the price spelled with more digits and the personalisation's
    // keys in another order (its options in the same order: that order is the customer's), with
    // only the order's status changed.
    const [sock, mug] = first.lineItems;
    await ingestCartOrders(
      app.ctx,
      shop,
      [
        normalized("20", {
          cartStatus: "on_hold",
          cartStatusRaw: "on-hold",
          cartUpdatedAt: new Date("2026-11-12T00:00:00Z"),
          lineItems: [
            { ...sock!, price: "10.0000" },
            {
              ...mug!,
              personalization: {
                designUrl: "https://cdn.example/ada.png",
                options: [
                  { name: "Name", value: "Ada" },
                  { name: "Colour", value: "teal" },
                ],
              },
            },
          ],
        }),
      ],
      via,
    );
    expect((await storedOrder(shop.id, "20"))!.cartStatus).toBe("on_hold");
    expect(await versions()).toEqual(before);

    await ingestCartOrders(
      app.ctx,
      shop,
      [
        normalized("20", {
          cartUpdatedAt: new Date("2026-11-13T00:00:00Z"),
          lineItems: [sock!, { ...mug!, quantity: 4 }],
        }),
      ],
      via,
    );
    const after = await versions();
    expect(after["20-1"]).toEqual(before["20-1"]);
    expect(after["20-2"]!.quantity).toBe(4);
    expect(after["20-2"]!.xmin).not.toBe(before["20-2"]!.xmin);
  });

  it("keeps the owner's edited address, remembering the cart's, and places the customer by it", async () => {
    const shop = await createShop(app.ctx.db, { platform: "woocommerce" });
    await ingestCartOrders(app.ctx, shop, [normalized("20")], via);
    const edited = {
      name: "Noor Haddad",
      address1: "8 New St",
      city: "York",
      country: "United Kingdom",
      countryCode: "GB",
    };
    await app.ctx.db
      .update(orders)
      .set({
        shippingAddress: edited,
        manualEdits: {
          shippingAddress: { from: null, to: edited, at: new Date().toISOString(), by: "owner" },
        },
      })
      .where(and(eq(orders.shopId, shop.id), eq(orders.cartOrderId, "20")));
    const fromCart = normalized("20", {
      cartUpdatedAt: new Date("2026-11-12T00:00:00Z"),
      customerName: "Noor H.",
    });
    await ingestCartOrders(app.ctx, shop, [fromCart], via);
    const order = await storedOrder(shop.id, "20");
    expect(order!.shippingAddress).toEqual(edited);
    expect(order!.customerCity).toBe("York");
    expect(order!.customerName).toBe("Noor H.");
    expect(order!.manualEdits!.shippingAddress!.from).toEqual(fromCart.shippingAddress);
  });

  it("types orders by the shop's personalised products and source-channel rules", async () => {
    const shop = await createShop(app.ctx.db, { platform: "woocommerce" });
    const [withRules] = await app.ctx.db
      .update(shops)
      .set({
        settings: {
          ...DEFAULT_SHOP_SETTINGS,
          personalizedProducts: ["777"],
          typeRules: [{ sourceChannel: "amazon", type: "amazon" }],
        },
      })
      .where(eq(shops.id, shop.id))
      .returning();
    const line = normalized("x").lineItems[0]!;
    await ingestCartOrders(
      app.ctx,
      withRules!,
      [
        normalized("30", { lineItems: [{ ...line, cartLineId: "a", cartProductId: "777" }] }),
        normalized("31", { sourceChannel: "Amazon" }),
        normalized("32"),
      ],
      via,
    );
    expect((await storedOrder(shop.id, "30"))!.type).toBe("in_app");
    expect((await storedOrder(shop.id, "31"))!.type).toBe("amazon");
    expect((await storedOrder(shop.id, "32"))!.type).toBe("other");
  });

  it("the countdown starts once the cart marks the order paid, and stops if it no longer is", async () => {
    const shop = await createShop(app.ctx.db, { platform: "woocommerce" });
    const line = {
      ...normalized("x").lineItems[0]!,
      cartLineId: "p1",
      personalization: { designUrl: "https://cdn.example.com/d.png" },
    };
    const at = (h: number) => new Date(Date.UTC(2026, 10, 12, h));
    const version = (h: number, cartStatus: NormalizedOrder["cartStatus"]) =>
      normalized("50", {
        lineItems: [line],
        cartStatus,
        cartStatusRaw: cartStatus,
        cartUpdatedAt: at(h),
      });

    await ingestCartOrders(app.ctx, shop, [version(1, "pending_payment")], via);
    const unpaid = await storedOrder(shop.id, "50");
    expect(unpaid!.type).toBe("in_app");
    expect(unpaid!.autoSubmitAt).toBeNull();

    await ingestCartOrders(app.ctx, shop, [version(2, "processing")], via);
    const paid = await storedOrder(shop.id, "50");
    expect(paid!.autoSubmitAt!.getTime() - Date.now()).toBeGreaterThan(59 * 60_000);

    await ingestCartOrders(app.ctx, shop, [version(3, "failed")], via);
    const failed = await storedOrder(shop.id, "50");
    expect(failed!.autoSubmitAt).toBeNull();
    expect(failed!.state).toBe("new");
  });

  it("compares amounts as money, and tells the owner what changed with the old and new values", async () => {
    const shop = await createShop(app.ctx.db, { platform: "woocommerce" });
    const later = (minutes: number) => new Date(Date.UTC(2026, 10, 10, 10, minutes));
    await ingestCartOrders(app.ctx, shop, [normalized("70", { total: "31.00" })], via);
    // Stored as numeric(14,4): "31.0000". The cart sends 31.00 again with another change.
    await ingestCartOrders(
      app.ctx,
      shop,
      [normalized("70", { total: "31.00", note: "Gift", cartUpdatedAt: later(5), raw: { v: 2 } })],
      via,
    );
    await ingestCartOrders(
      app.ctx,
      shop,
      [
        normalized("70", {
          total: "29.50",
          note: "Gift",
          cartStatus: "on_hold",
          cartStatusRaw: "on-hold",
          cartUpdatedAt: later(10),
          raw: { v: 3 },
        }),
      ],
      via,
    );
    const stored = await storedOrder(shop.id, "70");
    const messages = (
      await app.ctx.db
        .select({ message: orderEvents.message, action: orderEvents.action })
        .from(orderEvents)
        .where(eq(orderEvents.orderId, stored!.id))
        .orderBy(orderEvents.createdAt)
    )
      .filter((e) => e.action === "cart_updated")
      .map((e) => e.message);
    expect(messages).toEqual([
      "The cart updated the order: Note changed",
      "The cart updated the order: Cart status Processing → On hold; Total £31.00 → £29.50",
    ]);
  });

  it("removeCartOrder deletes an order nothing was sent for, and alerts on one that was", async () => {
    const shop = await createShop(app.ctx.db, { platform: "woocommerce" });
    await ingestCartOrders(app.ctx, shop, [normalized("40"), normalized("41")], via);
    expect(await removeCartOrder(app.ctx, shop, "40")).toEqual({ removed: true });
    expect(await storedOrder(shop.id, "40")).toBeUndefined();

    const sent = await storedOrder(shop.id, "41");
    const [provider] = await app.ctx.db
      .insert(providers)
      .values({ shopId: shop.id, kind: "http", name: "Printer", endpoint: "https://p.example" })
      .returning();
    await app.ctx.db.insert(submissions).values({
      shopId: shop.id,
      orderId: sent!.id,
      providerId: provider!.id,
      poNumber: "PO-41",
      idempotencyKey: "key-41",
      state: "submitted",
      attempts: 1,
    });
    const result = await removeCartOrder(app.ctx, shop, "41");
    expect(result.removed).toBe(false);
    const kept = await storedOrder(shop.id, "41");
    expect(kept!.alert?.code).toBe("cart_deleted");
    // Deleted ones come back with a later import.
    const back = await ingestCartOrders(app.ctx, shop, [normalized("40")], via);
    expect(back[0]!.outcome).toBe("created");
  });

  it("a page of new paid in-app orders starts each one's countdown, with one auto-submit job each", async () => {
    const shop = await createShop(app.ctx.db, { platform: "woocommerce" });
    const line = {
      ...normalized("x").lineItems[0]!,
      personalization: { designUrl: "https://cdn.example.com/d.png" },
    };
    const page = Array.from({ length: 40 }, (_, i) =>
      normalized(`cd-${i}`, {
        lineItems: [{ ...line, cartLineId: `cd-${i}-1` }],
        // Every fourth is not paid yet: no countdown, no job.
        ...(i % 4 === 3 ? { cartStatus: "pending_payment", cartStatusRaw: "pending" } : {}),
      }),
    );
    const before = Date.now();
    await ingestCartOrders(app.ctx, shop, page, via);
    const stored = await app.ctx.db.select().from(orders).where(eq(orders.shopId, shop.id));
    const counting = stored.filter((o) => o.autoSubmitAt !== null);
    expect(counting).toHaveLength(30);
    expect(stored.filter((o) => o.cartStatus === "pending_payment" && o.autoSubmitAt)).toEqual([]);
    for (const o of counting) {
      expect(o.autoSubmitAt!.getTime() - before).toBeGreaterThan(59 * 60_000);
    }
    const rows = await queryRows<{ order_id: string; due: string }>(
      app.ctx.db,
      sql`select data->>'orderId' as order_id, data->>'dueAt' as due
          from pgboss.job where name = 'auto-submit' and data->>'shopId' = ${shop.id}`,
    );
    expect(rows.map((j) => j.order_id).sort()).toEqual(counting.map((o) => o.id).sort());
    for (const j of rows) {
      const order = counting.find((o) => o.id === j.order_id)!;
      expect(j.due).toBe(order.autoSubmitAt!.toISOString());
    }
  });

  it("pages of 250 orders are stored set-based, and an unchanged re-import writes nothing", async () => {
    const shop = await createShop(app.ctx.db, { platform: "woocommerce" });
    const pages = [0, 1, 2, 3].map((p) =>
      Array.from({ length: 250 }, (_, i) => normalized(`p${p}-${i}`)),
    );
    const started = performance.now();
    for (const page of pages) {
      const outcomes = await ingestCartOrders(app.ctx, shop, page, via);
      expect(outcomes.filter((o) => o.outcome === "created")).toHaveLength(250);
    }
    const ms = performance.now() - started;
    const stored = await app.ctx.db.select().from(orders).where(eq(orders.shopId, shop.id));
    expect(stored).toHaveLength(1000);
    expect(stored.every((o) => o.itemCount === 2)).toBe(true);
    console.log(
      `[ingest] 1000 new orders in ${ms.toFixed(0)} ms (${(1_000_000 / ms).toFixed(0)}/s)`,
    );
    const again = performance.now();
    const repeat = await ingestCartOrders(app.ctx, shop, pages[0]!, via);
    console.log(
      `[ingest] 250 unchanged re-imports in ${(performance.now() - again).toFixed(0)} ms`,
    );
    expect(repeat.every((o) => o.outcome === "unchanged")).toBe(true);
  });
});
