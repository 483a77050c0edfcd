// Tracking back to the cart (the push-tracking job), and closing the order once every item has
// shipped and every parcel's tracking is in the cart.
import { and, eq, inArray, isNull } from "drizzle-orm";
import type { AppContext } from "~/context.server";
import type { PushOutcome } from "~/carts/connector";
import { connectorFor } from "~/carts/connectors.server";
import { lineItems, shipments } from "~/db/schema";
import { RetryLater } from "~/jobs/queues";
import { addTimelineEntry } from "~/orders/core/timeline.server";
import { decide } from "~/orders/core/lifecycle";
import { lockOrder, orderFacts, transition } from "~/orders/core/transitions.server";
import { shopSettings } from "~/orders/core/shop-settings";
import { NOT_YET_SHIPPED } from "~/orders/core/model";
import { ingestCartOrders } from "~/orders/ingest.server";
import { providerOfSubmission, queueFlowTrigger } from "~/carts/shopify/flow-triggers.server";

type Ctx = Pick<AppContext, "db" | "jobs" | "shopify" | "config">;

export async function pushTracking(
  ctx: Ctx,
  data: { shopId: string; shipmentId: string },
  attempt: { lastAttempt: boolean },
): Promise<void> {
  const [shipment] = await ctx.db
    .select()
    .from(shipments)
    .where(and(eq(shipments.id, data.shipmentId), eq(shipments.shopId, data.shopId)))
    .limit(1);
  if (!shipment || shipment.pushedToCartAt) return;
  const order = await ctx.db.query.orders.findFirst({
    where: (o, { and: both, eq: is }) =>
      both(is(o.id, shipment.orderId), is(o.shopId, data.shopId)),
  });
  const shop = await ctx.db.query.shops.findFirst({
    where: (s, { eq: is }) => is(s.id, data.shopId),
  });
  if (!order || !shop) return;

  const items = await ctx.db
    .select({ id: lineItems.id, cartLineId: lineItems.cartLineId, state: lineItems.deliveryState })
    .from(lineItems)
    .where(and(eq(lineItems.orderId, order.id), eq(lineItems.shopId, data.shopId)));
  const cartLine = new Map(items.map((i) => [i.id, i.cartLineId]));
  const outcome = await connectorFor(ctx, shop)
    .pushTracking({
      shopDomain: shop.domain,
      cartOrderId: order.cartOrderId,
      carrier: shipment.carrier,
      trackingNumber: shipment.trackingNumber,
      trackingUrl: shipment.trackingUrl,
      items: shipment.items
        .filter((i) => cartLine.has(i.lineItemId))
        .map((i) => ({ cartLineId: cartLine.get(i.lineItemId)!, quantity: i.quantity })),
      notifyCustomer: shopSettings(shop).notifyCustomerOnShipment,
      completesOrder: items.every((i) => !NOT_YET_SHIPPED.includes(i.state)),
    })
    .catch((err: unknown): PushOutcome => ({
      ok: false as const,
      retryable: true,
      reason: err instanceof Error ? err.message : String(err),
    }));

  if (!outcome.ok) {
    await ctx.db
      .update(shipments)
      .set({ pushError: outcome.reason })
      .where(eq(shipments.id, shipment.id));
    if (outcome.retryable && !attempt.lastAttempt) throw new RetryLater(outcome.reason);
    await addTimelineEntry(ctx.db, {
      shopId: order.shopId,
      orderId: order.id,
      actor: "cart",
      action: "tracking_push_failed",
      message: `Tracking ${shipment.trackingNumber} was not accepted by the cart: ${outcome.reason}`,
    });
    return;
  }

  await ctx.db.transaction(async (tx) => {
    const locked = await lockOrder(tx, order.shopId, order.id);
    if (!locked) return;
    await tx
      .update(shipments)
      .set({ pushedToCartAt: new Date(), pushError: null })
      .where(eq(shipments.id, shipment.id));
    await addTimelineEntry(tx, {
      shopId: order.shopId,
      orderId: order.id,
      actor: "system",
      action: "tracking_pushed",
      message: `Tracking ${shipment.trackingNumber} is in the cart`,
    });
    await queueFlowTrigger(
      tx,
      ctx.jobs,
      order.shopId,
      "order_shipped",
      {
        orderId: order.id,
        providerId: await providerOfSubmission(tx, order.shopId, shipment.submissionId),
        carrier: shipment.carrier,
        trackingNumber: shipment.trackingNumber,
        trackingUrl: shipment.trackingUrl,
      },
      `shipment:${shipment.id}`,
    );
    const [unshipped] = await tx
      .select({ id: lineItems.id })
      .from(lineItems)
      .where(
        and(
          eq(lineItems.orderId, order.id),
          inArray(lineItems.deliveryState, [...NOT_YET_SHIPPED]),
        ),
      )
      .limit(1);
    const [unpushed] = await tx
      .select({ id: shipments.id })
      .from(shipments)
      .where(and(eq(shipments.orderId, order.id), isNull(shipments.pushedToCartAt)))
      .limit(1);
    // Open, or Abandoned and a parcel turned up after all: the lifecycle table says which close.
    const acting = { actor: "system" } as const;
    if (!unshipped && !unpushed && decide("close", orderFacts(locked, acting)).allowed) {
      await transition(tx, locked, {
        action: "close",
        acting,
        message: "Everything has shipped and its tracking is in the cart",
      });
    }
  });
  // The cart's answer (its status after the parcel) goes through the same door as its webhooks:
  // the newest version wins, and the webhook that follows changes nothing.
  if (outcome.order) await ingestCartOrders(ctx, shop, [outcome.order], { source: "cart_answer" });
}
