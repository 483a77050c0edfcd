// A customer's right to see their data: when Shopify forwards a customer's request
// (customers/data_request), we gather everything we hold about them at that moment, so the owner
// can download it and send it on, as Shopify asks them to.
import { and, desc, eq, inArray, or } from "drizzle-orm";
import type { DbOrTx } from "~/db/client.server";
import {
  customerDataRequests,
  lineItems,
  orders,
  paymentTransactions,
  shipments,
} from "~/db/schema";

export interface DataRequest {
  cartRequestId: string;
  customerId: string | null;
  customerEmail: string | null;
  /** The cart's ids of the orders the request names. */
  cartOrderIds: string[];
}

/** Everything Orderlane stores about the customer's orders, in words a person can read. */
export async function gatherCustomerData(
  db: DbOrTx,
  shopId: string,
  request: DataRequest,
): Promise<{ orderIds: string[]; export: Record<string, unknown> }> {
  const match = [
    request.cartOrderIds.length > 0 ? inArray(orders.cartOrderId, request.cartOrderIds) : undefined,
    request.customerEmail ? eq(orders.customerEmail, request.customerEmail) : undefined,
  ].filter((c) => c !== undefined);
  const found =
    match.length === 0
      ? []
      : await db
          .select()
          .from(orders)
          .where(and(eq(orders.shopId, shopId), or(...match)))
          .orderBy(desc(orders.cartCreatedAt));
  const ids = found.map((o) => o.id);
  const [items, parcels, payments] =
    ids.length === 0
      ? [[], [], []]
      : await Promise.all([
          db
            .select()
            .from(lineItems)
            .where(and(eq(lineItems.shopId, shopId), inArray(lineItems.orderId, ids)))
            .orderBy(lineItems.position),
          db
            .select()
            .from(shipments)
            .where(and(eq(shipments.shopId, shopId), inArray(shipments.orderId, ids))),
          db
            .select()
            .from(paymentTransactions)
            .where(
              and(
                eq(paymentTransactions.shopId, shopId),
                inArray(paymentTransactions.orderId, ids),
              ),
            ),
        ]);

  return {
    orderIds: ids,
    export: {
      customer: { id: request.customerId, email: request.customerEmail },
      gatheredAt: new Date().toISOString(),
      orders: found.map((o) => ({
        orderNumber: o.cartOrderNumber,
        cartOrderId: o.cartOrderId,
        placedAt: o.cartCreatedAt.toISOString(),
        customerName: o.customerName,
        customerEmail: o.customerEmail,
        billingAddress: o.billingAddress,
        shippingAddress: o.shippingAddress,
        currency: o.currency,
        total: o.total,
        paymentMethod: o.paymentMethod,
        shippingMethod: o.shippingMethod,
        note: o.note,
        items: items
          .filter((i) => i.orderId === o.id)
          .map((i) => ({
            title: i.title,
            sku: i.sku,
            style: i.style,
            quantity: i.quantity,
            price: i.price,
            personalization: i.personalization,
          })),
        shipments: parcels
          .filter((s) => s.orderId === o.id)
          .map((s) => ({
            carrier: s.carrier,
            trackingNumber: s.trackingNumber,
            trackingUrl: s.trackingUrl,
            shippedAt: s.shippedAt.toISOString(),
          })),
        payments: payments
          .filter((p) => p.orderId === o.id)
          .map((p) => ({ kind: p.kind, amount: p.amount, currency: p.currency, status: p.status })),
      })),
    },
  };
}

/**
 * Stores the request with its export (the same request delivered twice is stored once) and says
 * which of our orders it covers.
 */
export async function recordDataRequest(
  db: DbOrTx,
  shopId: string,
  request: DataRequest,
): Promise<{ orderIds: string[] }> {
  const gathered = await gatherCustomerData(db, shopId, request);
  await db
    .insert(customerDataRequests)
    .values({
      shopId,
      cartRequestId: request.cartRequestId,
      customerId: request.customerId,
      customerEmail: request.customerEmail,
      orderCount: gathered.orderIds.length,
      export: gathered.export,
    })
    .onConflictDoNothing();
  return { orderIds: gathered.orderIds };
}

export type DataRequestSummary = Pick<
  typeof customerDataRequests.$inferSelect,
  "id" | "cartRequestId" | "customerEmail" | "orderCount" | "requestedAt" | "downloadedAt"
>;

export function listDataRequests(db: DbOrTx, shopId: string): Promise<DataRequestSummary[]> {
  return db
    .select({
      id: customerDataRequests.id,
      cartRequestId: customerDataRequests.cartRequestId,
      customerEmail: customerDataRequests.customerEmail,
      orderCount: customerDataRequests.orderCount,
      requestedAt: customerDataRequests.requestedAt,
      downloadedAt: customerDataRequests.downloadedAt,
    })
    .from(customerDataRequests)
    .where(eq(customerDataRequests.shopId, shopId))
    .orderBy(desc(customerDataRequests.requestedAt))
    .limit(100);
}

/** The export, for the owner to download; notes when it was first downloaded. */
export async function downloadDataRequest(
  db: DbOrTx,
  shopId: string,
  requestId: string,
): Promise<typeof customerDataRequests.$inferSelect | null> {
  const [row] = await db
    .select()
    .from(customerDataRequests)
    .where(and(eq(customerDataRequests.id, requestId), eq(customerDataRequests.shopId, shopId)));
  if (!row) return null;
  if (!row.downloadedAt) {
    await db
      .update(customerDataRequests)
      .set({ downloadedAt: new Date() })
      .where(eq(customerDataRequests.id, row.id));
  }
  return row;
}
