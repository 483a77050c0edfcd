// The rows that hang off one order, read the same way for every view of it (the order page, the
// JSON API), so that what one shows and the other leaves out cannot drift apart again. Each view
// shapes them in its own words; this only reads, scoped by shop like every query.
import { and, asc, desc, eq } from "drizzle-orm";
import type { DbOrTx } from "~/db/client.server";
import { lineItems, orderEvents, providers, shipments, submissions } from "~/db/schema";

type LineItemRow = typeof lineItems.$inferSelect;
type SubmissionRow = typeof submissions.$inferSelect;
type ShipmentRow = typeof shipments.$inferSelect;
type OrderEventRow = typeof orderEvents.$inferSelect;

export interface OrderChildren {
  /** In the cart's order; `providerName` is null while an item is routed to no provider. */
  items: { item: LineItemRow; providerName: string | null }[];
  /**
   * Oldest first. A purchase order stays in the list even if its provider's row is gone
   * (`providerName` null): hiding it would hide that the order was already sent.
   */
  submissions: { submission: SubmissionRow; providerName: string | null }[];
  /** Oldest parcel first. */
  shipments: ShipmentRow[];
}

/** Line items, purchase orders and shipments of one order of the shop. */
export async function readOrderChildren(
  db: DbOrTx,
  shopId: string,
  orderId: string,
): Promise<OrderChildren> {
  const [items, subs, parcels] = await Promise.all([
    db
      .select({ item: lineItems, providerName: providers.name })
      .from(lineItems)
      .leftJoin(providers, eq(providers.id, lineItems.providerId))
      .where(and(eq(lineItems.orderId, orderId), eq(lineItems.shopId, shopId)))
      .orderBy(asc(lineItems.position)),
    db
      .select({ submission: submissions, providerName: providers.name })
      .from(submissions)
      .leftJoin(providers, eq(providers.id, submissions.providerId))
      .where(and(eq(submissions.orderId, orderId), eq(submissions.shopId, shopId)))
      .orderBy(asc(submissions.createdAt)),
    db
      .select()
      .from(shipments)
      .where(and(eq(shipments.orderId, orderId), eq(shipments.shopId, shopId)))
      .orderBy(asc(shipments.shippedAt)),
  ]);
  return { items, submissions: subs, shipments: parcels };
}

/**
 * Each item's tracking number: that of the latest parcel carrying it (oldest first in `parcels`, so
 * a later one wins). An item no parcel carries has none.
 */
export function trackingByItem(parcels: readonly ShipmentRow[]): Map<string, string> {
  const tracking = new Map<string, string>();
  for (const parcel of parcels) {
    for (const entry of parcel.items) tracking.set(entry.lineItemId, parcel.trackingNumber);
  }
  return tracking;
}

/** The order's timeline, newest first, at most `limit` entries. */
export async function readOrderTimeline(
  db: DbOrTx,
  shopId: string,
  orderId: string,
  limit: number,
): Promise<OrderEventRow[]> {
  return db
    .select()
    .from(orderEvents)
    .where(and(eq(orderEvents.orderId, orderId), eq(orderEvents.shopId, shopId)))
    .orderBy(desc(orderEvents.createdAt))
    .limit(limit);
}
