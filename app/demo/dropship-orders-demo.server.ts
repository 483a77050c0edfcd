// The purchase-order side of the demo's drop-shipping: on the demo shop's two PO orders (see
// dropship-demo.server.ts), one purchase order that shipped, with its tracking, and one placed
// seven weeks ago that never shipped, flagged Overdue by the same function the tracking poll uses.
// Both are placed through the Dropship service, as an owner would; only what the distributor did
// afterwards (accept, ship) is written as the events it would have produced.
import { and, eq } from "drizzle-orm";
import type { AppContext } from "~/context.server";
import { orders, providers, submissions } from "~/db/schema";
import { orderDropshipEligibility } from "~/fulfillment/dropship/eligibility.server";
import { placeDropshipOrder } from "~/fulfillment/dropship/place.server";
import { flagOverduePurchaseOrders } from "~/fulfillment/dropship/tracking-poll.server";
import { storeProviderEvent } from "~/fulfillment/provider-events.server";
import { DEMO_OVERDUE_ORDER, DEMO_SHIPPING_ORDER } from "./constants";

type Ctx = Pick<AppContext, "db" | "jobs" | "config">;

const DAY = 86_400_000;

/** Places the demo's two purchase orders once; an order that already has one is left alone. */
export async function seedDemoPurchaseOrders(ctx: Ctx, shopId: string): Promise<void> {
  for (const [number, ships] of [
    [DEMO_SHIPPING_ORDER, true],
    [DEMO_OVERDUE_ORDER, false],
  ] as const) {
    const [order] = await ctx.db
      .select()
      .from(orders)
      .where(and(eq(orders.shopId, shopId), eq(orders.cartOrderNumber, number)));
    if (!order) continue;
    const [existing] = await ctx.db
      .select({ id: submissions.id })
      .from(submissions)
      .where(eq(submissions.orderId, order.id));
    if (existing) continue;
    // Each item to the distributor the feeds say can ship it now (cheapest first).
    const judged = (await orderDropshipEligibility(ctx.db, shopId, order.id)) ?? [];
    const picks = judged
      .filter((line) => line.options.length > 0)
      .map((line) => ({ lineId: line.lineId, distributorId: line.options[0]!.providerId }));
    const distributorIds = [...new Set(picks.map((p) => p.distributorId))];
    if (picks.length === 0 || distributorIds.length !== 1) continue;
    const [distributor] = await ctx.db
      .select()
      .from(providers)
      .where(and(eq(providers.shopId, shopId), eq(providers.id, distributorIds[0]!)));
    if (!distributor) continue;
    const placed = await placeDropshipOrder(
      ctx,
      shopId,
      order.id,
      { items: picks, confirm: true },
      { actor: "owner", name: "Demo owner" },
    );
    if (!placed.ok) {
      console.warn(`[demo] purchase order for ${number} not placed: ${placed.message}`);
      continue;
    }
    const po = placed.purchaseOrders[0]!;
    const placedAt = ships ? new Date(Date.now() - 2 * DAY) : order.cartCreatedAt;
    // The distributor took it (its send job, once it runs, finds it sent and does nothing).
    await ctx.db
      .update(submissions)
      .set({
        state: "submitted",
        providerOrderId: po.poNumber,
        submittedAt: placedAt,
        createdAt: placedAt,
        attempts: 1,
      })
      .where(eq(submissions.id, po.id));
    if (ships) {
      await ctx.db.transaction((tx) =>
        storeProviderEvent(ctx, tx, distributor, {
          type: "shipped",
          eventId: `demo-ship-${po.poNumber}`,
          poNumber: po.poNumber,
          providerOrderId: po.poNumber,
          shipment: {
            carrier: "UPS",
            trackingNumber: "1ZDEMO0000000001",
            trackingUrl: null,
            shippedAt: new Date(Date.now() - DAY),
            items: "all",
          },
        }),
      );
    }
  }
  await flagOverduePurchaseOrders(ctx);
}
