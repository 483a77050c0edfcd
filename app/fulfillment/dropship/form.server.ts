// What the Dropship form shows for one order: its items with the distributors that can ship each
// (or why none can), the feed's age, a fresh PO number, the address to prefill, and which
// distributors answer Check stock now.
import { and, eq } from "drizzle-orm";
import type { AppContext } from "~/context.server";
import { orders, providers } from "~/db/schema";
import type { Address } from "~/orders/core/model";
import { loadItems } from "../purchase-orders.server";
import { ineligibleWords, orderDropshipEligibility } from "./eligibility.server";
import { linesOfOrders, orderLineKinds } from "./order-lines.server";
import { suggestPoNumber } from "./place.server";
import { offersLiveStock } from "./stock-check.server";

export interface DropshipFormItem {
  id: string;
  title: string;
  sku: string | null;
  quantity: number;
  sent: boolean;
  reason: string | null;
  options: {
    distributorId: string;
    distributorName: string;
    warehouse: string;
    sku: string;
    stock: number;
    cost: string;
    leadTimeDays: number;
    feedUpdatedAt: Date;
  }[];
}

export async function dropshipForm(
  ctx: Pick<AppContext, "db" | "config">,
  shopId: string,
  orderId: string,
): Promise<{
  orderNumber: string;
  currency: string;
  poNumber: string;
  address: Address | null;
  customerName: string;
  liveStock: string[];
  items: DropshipFormItem[];
} | null> {
  const eligibility = await orderDropshipEligibility(ctx.db, shopId, orderId).catch(() => null);
  if (!eligibility) return null;
  const [order] = await ctx.db
    .select()
    .from(orders)
    .where(and(eq(orders.id, orderId), eq(orders.shopId, shopId)));
  if (!order) return null;
  const items = await loadItems(ctx.db, shopId, orderId);
  const kinds = await orderLineKinds(
    ctx.db,
    shopId,
    await linesOfOrders(ctx.db, shopId, [orderId]),
  );
  const distributors = await ctx.db
    .select()
    .from(providers)
    .where(and(eq(providers.shopId, shopId), eq(providers.kind, "distributor")));
  return {
    orderNumber: order.cartOrderNumber,
    currency: order.currency,
    poNumber: await suggestPoNumber(ctx.db, shopId, order.cartOrderNumber),
    address: order.shippingAddress,
    customerName: order.customerName,
    liveStock: distributors.filter((d) => offersLiveStock(ctx, d)).map((d) => d.id),
    items: items.map((item) => {
      const judged = eligibility.find((e) => e.lineId === item.id)!;
      return {
        id: item.id,
        title: item.title,
        sku: item.sku,
        quantity: item.quantity,
        sent: kinds.sent.has(item.id),
        reason: judged.reason ? ineligibleWords(judged.reason) : null,
        options: judged.options.map((o) => ({
          distributorId: o.providerId,
          distributorName: o.distributorName,
          warehouse: o.warehouse,
          sku: o.sku,
          stock: o.stock,
          cost: o.cost,
          leadTimeDays: o.leadTimeDays,
          feedUpdatedAt: new Date(o.feedUpdatedAt),
        })),
      };
    }),
  };
}
