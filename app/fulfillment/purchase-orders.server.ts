// Builds what a provider is sent from our rows: one purchase order per provider per order.
import { and, asc, eq, inArray } from "drizzle-orm";
import type { DbOrTx } from "~/db/client.server";
import { lineItems, submissions } from "~/db/schema";
import type { ShopSettings } from "~/orders/core/shop-settings";
import type { OrderRow } from "~/orders/core/transitions.server";
import { optionsByName } from "~/orders/core/model";
import type { PurchaseOrder } from "./provider";
import { providerProductFor } from "./routing";

export type LineItemRow = typeof lineItems.$inferSelect;

export function eventsUrl(publicUrl: string, providerId: string): string {
  return `${publicUrl}/api/providers/${providerId}/events`;
}

/** PO numbers are unique per shop and readable on a provider's packing slip. */
export function poNumberFor(order: Pick<OrderRow, "cartOrderNumber">, index: number): string {
  const number = order.cartOrderNumber.replace(/[^A-Za-z0-9-]/g, "") || "ORDER";
  return `OL-${number}-${index + 1}`;
}

function absolute(publicUrl: string, url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url, `${publicUrl}/`).toString();
  } catch {
    return null;
  }
}

/** One of the shop's purchase orders, as stored; undefined when it is gone or another shop's. */
export async function findSubmission(db: DbOrTx, shopId: string, submissionId: string) {
  const [row] = await db
    .select()
    .from(submissions)
    .where(and(eq(submissions.id, submissionId), eq(submissions.shopId, shopId)))
    .limit(1);
  return row;
}

export async function loadItems(
  db: DbOrTx,
  shopId: string,
  orderId: string,
  itemIds?: string[],
): Promise<LineItemRow[]> {
  return db
    .select()
    .from(lineItems)
    .where(
      and(
        eq(lineItems.shopId, shopId),
        eq(lineItems.orderId, orderId),
        itemIds ? inArray(lineItems.id, itemIds) : undefined,
      ),
    )
    .orderBy(asc(lineItems.position));
}

export function buildPurchaseOrder(input: {
  order: OrderRow;
  items: LineItemRow[];
  providerId: string;
  poNumber: string;
  idempotencyKey: string;
  publicUrl: string;
  /** The shop's routing rules: they name the provider's own product for a SKU. */
  rules: ShopSettings["routingRules"];
}): PurchaseOrder {
  const { order, publicUrl } = input;
  const address = order.shippingAddress ?? order.billingAddress;
  return {
    poNumber: input.poNumber,
    idempotencyKey: input.idempotencyKey,
    orderNumber: order.cartOrderNumber,
    cartOrderId: order.cartOrderId,
    currency: order.currency,
    recipient: {
      name: address?.name ?? order.customerName,
      company: address?.company ?? null,
      address1: address?.address1 ?? "",
      address2: address?.address2 ?? null,
      city: address?.city ?? "",
      province: address?.province ?? null,
      provinceCode: address?.provinceCode ?? null,
      zip: address?.zip ?? null,
      country: address?.country ?? "",
      countryCode: address?.countryCode ?? "",
      phone: address?.phone ?? null,
      email: order.customerEmail,
    },
    shippingMethod: order.shippingMethod,
    callbackUrl: eventsUrl(publicUrl, input.providerId),
    items: input.items.map((item) => ({
      lineId: item.id,
      sku: item.sku ?? "",
      providerProduct: providerProductFor(input.rules, input.providerId, item.sku),
      title: item.title,
      style: item.style,
      quantity: item.quantity,
      price: item.price,
      mockupUrl: absolute(publicUrl, item.mockupUrl),
      personalised: item.personalization !== null,
      personalization: item.personalization
        ? {
            previewUrl: absolute(publicUrl, item.personalization.previewUrl),
            designUrl: absolute(publicUrl, item.personalization.designUrl),
            clientImages: (item.personalization.clientImages ?? [])
              .map((url) => absolute(publicUrl, url))
              .filter((url): url is string => url !== null),
            options: optionsByName(item.personalization.options ?? []),
          }
        : null,
    })),
  };
}
