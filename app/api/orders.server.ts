// The JSON API's view of orders: what integrations read, in stable field names. Cart ids stay the
// strings the cart sent (Shopify's exceed 2^53), money stays decimal strings, times are ISO 8601.
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "~/db/client.server";
import { orders, type lineItems, type shipments, type submissions } from "~/db/schema";
import type { CatalogRow } from "~/orders/catalog.server";
import { listOrderNotes, type OrderNoteRow } from "~/orders/invoice-notes.server";
import { readOrderChildren, trackingByItem } from "~/orders/order-children.server";
import { readStoredPersonalization, type ManualEdits } from "~/orders/core/model";

type OrderRow = typeof orders.$inferSelect;

export function catalogOrderJson(row: CatalogRow) {
  return {
    id: row.id,
    cartOrderId: row.cartOrderId,
    number: row.cartOrderNumber,
    createdAt: row.cartCreatedAt.toISOString(),
    cartStatus: row.cartStatus,
    cartStatusRaw: row.cartStatusRaw,
    state: row.state,
    status: row.orderStatusKey,
    invoiceNumber: row.invoiceNumber,
    type: row.type,
    customer: {
      name: row.customerName,
      city: row.customerCity,
      province: row.customerProvince,
      country: row.customerCountry,
    },
    total: row.total,
    currency: row.currency,
    paymentMethod: row.paymentMethod,
    itemCount: row.itemCount,
    submitStatus: row.submitStatus,
    submitFailureReason: row.submitFailureReason,
    autoSubmitAt: row.autoSubmitAt?.toISOString() ?? null,
  };
}

function orderJson(row: OrderRow) {
  return {
    ...catalogOrderJson(row),
    updatedAt: row.cartUpdatedAt.toISOString(),
    customer: {
      name: row.customerName,
      email: row.customerEmail,
      city: row.customerCity,
      province: row.customerProvince,
      country: row.customerCountry,
    },
    shippingAddress: row.shippingAddress,
    billingAddress: row.billingAddress,
    subtotal: row.subtotal,
    shippingTotal: row.shippingTotal,
    taxTotal: row.taxTotal,
    shippingMethod: row.shippingMethod,
    sourceChannel: row.sourceChannel,
    note: row.note,
    alert: row.alert,
    autoSubmitRemainingMs: row.autoSubmitRemainingMs,
    manualEdits: editsJson(row.manualEdits),
  };
}

/** Personalisation edits stored before options became a list are answered in today's shape. */
function editsJson(edits: ManualEdits | null): ManualEdits | null {
  if (!edits) return null;
  return Object.fromEntries(
    Object.entries(edits).map(([field, edit]) =>
      field.endsWith(":personalization")
        ? [
            field,
            {
              ...edit,
              from: readStoredPersonalization(edit.from),
              to: readStoredPersonalization(edit.to),
            },
          ]
        : [field, edit],
    ),
  );
}

export type ApiOrder = ReturnType<typeof orderJson> & {
  items: ReturnType<typeof itemJson>[];
  submissions: ReturnType<typeof submissionJson>[];
  shipments: ReturnType<typeof shipmentJson>[];
  notes: ReturnType<typeof noteJson>[];
};

export function noteJson(row: OrderNoteRow) {
  return {
    id: row.id,
    text: row.text,
    visibleToCustomer: row.visibleToCustomer,
    author: row.authorName,
    actor: row.actor,
    cartNoteId: row.cartNoteId,
    createdAt: row.createdAt.toISOString(),
  };
}

function itemJson(row: typeof lineItems.$inferSelect, trackingNumber: string | null) {
  return {
    id: row.id,
    cartLineId: row.cartLineId,
    cartProductId: row.cartProductId,
    cartVariantId: row.cartVariantId,
    sku: row.sku,
    title: row.title,
    style: row.style,
    quantity: row.quantity,
    price: row.price,
    mockupUrl: row.mockupUrl,
    productUrl: row.productUrl,
    personalization: row.personalization,
    providerId: row.providerId,
    deliveryState: row.deliveryState,
    shipmentMethod: row.shipmentMethod,
    trackingNumber,
  };
}

function submissionJson(row: typeof submissions.$inferSelect, providerName: string | null) {
  return {
    id: row.id,
    providerId: row.providerId,
    providerName,
    poNumber: row.poNumber,
    state: row.state,
    providerOrderId: row.providerOrderId,
    attempts: row.attempts,
    lastError: row.lastError,
    submittedAt: row.submittedAt?.toISOString() ?? null,
  };
}

function shipmentJson(row: typeof shipments.$inferSelect) {
  return {
    id: row.id,
    submissionId: row.submissionId,
    carrier: row.carrier,
    trackingNumber: row.trackingNumber,
    trackingUrl: row.trackingUrl,
    shipmentMethod: row.shipmentMethod,
    shippedAt: row.shippedAt.toISOString(),
    items: row.items,
    pushedToCart: row.pushedToCartAt !== null,
  };
}

/** One order of the shop with everything about it; null for another shop's or a missing one. */
export async function getApiOrder(
  db: DbOrTx,
  shopId: string,
  orderId: string,
): Promise<ApiOrder | null> {
  if (!z.uuid().safeParse(orderId).success) return null;
  const [order] = await db
    .select()
    .from(orders)
    .where(and(eq(orders.id, orderId), eq(orders.shopId, shopId)))
    .limit(1);
  if (!order) return null;
  const children = await readOrderChildren(db, shopId, orderId);
  const tracking = trackingByItem(children.shipments);
  return {
    ...orderJson(order),
    items: children.items.map(({ item }) => itemJson(item, tracking.get(item.id) ?? null)),
    submissions: children.submissions.map((s) => submissionJson(s.submission, s.providerName)),
    shipments: children.shipments.map(shipmentJson),
    notes: (await listOrderNotes(db, shopId, orderId)).map(noteJson),
  };
}
