// Which of an order's items are drop-ship items, and which were sent already (decision 0052).
//
// A drop-ship item is one a distributor carries (by the SKU map: the owner's manual map, the same
// SKU, or the barcode) or one the owner gave a distributor (Dropship, a SKU swap). Those are never
// sent by the countdown or Submit: they wait for the owner's purchase order. An item is sent once
// a purchase order that is not failed or cancelled covers it.
import { and, eq, inArray } from "drizzle-orm";
import type { DbOrTx } from "~/db/client.server";
import { lineItems, providers, submissions } from "~/db/schema";
import { carriedItemsFor } from "./sku-map.server";

type Line = Pick<typeof lineItems.$inferSelect, "id" | "orderId" | "sku" | "providerId">;

/** The purchase orders that still stand for an item (a failed or cancelled one no longer does). */
const LIVE_STATES = ["pending", "submitting", "submitted"] as const;

export interface OrderLineKinds {
  /** Items that wait for the owner's purchase order with a distributor. */
  dropship: Set<string>;
  /** Items a live purchase order already covers. */
  sent: Set<string>;
}

export async function orderLineKinds(
  db: DbOrTx,
  shopId: string,
  lines: readonly Line[],
): Promise<OrderLineKinds> {
  const dropship = new Set<string>();
  const sent = new Set<string>();
  if (lines.length === 0) return { dropship, sent };
  const orderIds = [...new Set(lines.map((l) => l.orderId))];
  const [distributors, carried, live] = await Promise.all([
    db
      .select({ id: providers.id })
      .from(providers)
      .where(and(eq(providers.shopId, shopId), eq(providers.kind, "distributor"))),
    carriedItemsFor(
      db,
      shopId,
      lines.map((l) => l.sku ?? ""),
    ),
    db
      .select({
        orderId: submissions.orderId,
        providerId: submissions.providerId,
        dropship: submissions.dropship,
        lineIds: submissions.lineIds,
      })
      .from(submissions)
      .where(
        and(
          eq(submissions.shopId, shopId),
          inArray(submissions.orderId, orderIds),
          inArray(submissions.state, [...LIVE_STATES]),
        ),
      ),
  ]);
  const distributorIds = new Set(distributors.map((d) => d.id));
  for (const line of lines) {
    const isCarried = line.sku ? (carried.get(line.sku)?.length ?? 0) > 0 : false;
    if (isCarried || (line.providerId && distributorIds.has(line.providerId))) {
      dropship.add(line.id);
    }
  }
  for (const po of live) {
    if (po.dropship) {
      for (const id of po.lineIds) sent.add(id);
      continue;
    }
    // A print-on-demand purchase order covers the items routed to its provider.
    for (const line of lines) {
      if (
        line.orderId === po.orderId &&
        line.providerId === po.providerId &&
        !dropship.has(line.id)
      ) {
        sent.add(line.id);
      }
    }
  }
  return { dropship, sent };
}

/** An order's items, for the lifecycle's two drop-ship facts. */
export async function linesOfOrders(db: DbOrTx, shopId: string, orderIds: readonly string[]) {
  if (orderIds.length === 0) return [];
  return db
    .select({
      id: lineItems.id,
      orderId: lineItems.orderId,
      sku: lineItems.sku,
      providerId: lineItems.providerId,
    })
    .from(lineItems)
    .where(and(eq(lineItems.shopId, shopId), inArray(lineItems.orderId, [...orderIds])));
}

/** The order page's drop-ship corner: can some unsent item be drop-shipped now, and its POs. */
export async function orderDropshipSummary(
  db: DbOrTx,
  shopId: string,
  orderId: string,
): Promise<{ available: boolean; purchaseOrders: { id: string; poNumber: string }[] }> {
  const lines = await linesOfOrders(db, shopId, [orderId]);
  const kinds = await orderLineKinds(db, shopId, lines);
  const unsent = lines.filter((l) => !kinds.sent.has(l.id) && kinds.dropship.has(l.id));
  const pos = await db
    .select({ id: submissions.id, poNumber: submissions.poNumber })
    .from(submissions)
    .where(
      and(
        eq(submissions.shopId, shopId),
        eq(submissions.orderId, orderId),
        eq(submissions.dropship, true),
      ),
    );
  return { available: unsent.length > 0, purchaseOrders: pos };
}
