// An order's items as the order page shows them for drop-shipping: per item, each distributor that
// carries it with its stock, cost, lead time and the feed's age, and the reason when none can ship.
import { and, count, eq } from "drizzle-orm";
import type { DbOrTx } from "~/db/client.server";
import { providers } from "~/db/schema";
import type { ItemDropship } from "~/ui/order/types";
import { formatMoney } from "~/ui/format";
import {
  ineligibleWords,
  orderDropshipEligibility,
  type IneligibleReason,
} from "./eligibility.server";

function days(n: number): string {
  return n === 0 ? "ships the same day" : `${n} day${n === 1 ? "" : "s"}`;
}

/** "updated 3 hours ago", from the feed's last good run. */
export function feedAgeWords(at: Date, now: Date): string {
  const minutes = Math.max(0, Math.round((now.getTime() - at.getTime()) / 60_000));
  if (minutes < 2) return "feed updated just now";
  if (minutes < 90) return `feed updated ${minutes} minutes ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 36) return `feed updated ${hours} hours ago`;
  return `feed updated ${Math.round(hours / 24)} days ago`;
}

function problemWords(reason: IneligibleReason): string {
  switch (reason.code) {
    case "out_of_stock":
      return reason.bestStock === 0 ? "out of stock" : `only ${reason.bestStock} in stock`;
    case "lead_time":
      return `lead time ${days(reason.days)}`;
    default:
      return ineligibleWords(reason);
  }
}

/**
 * Per line id, the item's drop-ship view; null when the shop has no distributor (the page then
 * shows nothing about drop-shipping) or the order is not the shop's.
 */
export async function orderDropshipView(
  db: DbOrTx,
  shopId: string,
  orderId: string,
  currency: string,
  now = new Date(),
): Promise<Map<string, ItemDropship> | null> {
  const [distributors] = await db
    .select({ n: count() })
    .from(providers)
    .where(and(eq(providers.shopId, shopId), eq(providers.kind, "distributor")));
  if (!distributors?.n) return null;
  const lines = await orderDropshipEligibility(db, shopId, orderId);
  if (!lines) return null;
  const view = new Map<string, ItemDropship>();
  for (const line of lines) {
    const offer = (o: (typeof line.options)[number], problem: string | null) => ({
      distributorName: o.distributorName,
      sku: o.sku,
      warehouse: o.warehouse,
      stock: o.stock,
      cost: formatMoney(o.cost, currency),
      leadTime: days(o.leadTimeDays),
      feedAge: feedAgeWords(o.feedUpdatedAt, now),
      problem,
    });
    view.set(line.lineId, {
      eligible: line.eligible,
      reason: line.reason ? ineligibleWords(line.reason) : null,
      offers: [
        ...line.options.map((o) => offer(o, null)),
        ...line.others.map((o) => offer(o, problemWords(o.reason))),
      ],
    });
  }
  return view;
}
