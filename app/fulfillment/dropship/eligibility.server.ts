// Whether an order's items can be drop-shipped, and by whom (DESIGN §10): a distributor carries the
// item (by the SKU map), one of its warehouses has at least the quantity in stock, and its lead time
// is at most the shop's threshold. Computed from the feeds each time, never stored.
import { and, asc, eq, inArray } from "drizzle-orm";
import type { DbOrTx } from "~/db/client.server";
import { lineItems, orders, providers, shops } from "~/db/schema";
import { shopSettings } from "~/orders/core/shop-settings";
import { carriedItemsFor, type CarriedItem } from "./sku-map.server";

export interface EligibilityLine {
  id: string;
  sku: string | null;
  quantity: number;
}

/** One distributor warehouse that carries the item. */
export type DistributorOption = CarriedItem;

export type IneligibleReason =
  | { code: "no_sku" }
  | { code: "not_carried" }
  | { code: "out_of_stock"; bestStock: number; needed: number }
  | { code: "lead_time"; days: number; maxDays: number };

export interface LineEligibility {
  lineId: string;
  sku: string | null;
  quantity: number;
  eligible: boolean;
  /** Warehouses that can ship it now, cheapest first. */
  options: DistributorOption[];
  /** Warehouses that carry it but cannot ship it, each with why. */
  others: (DistributorOption & { reason: IneligibleReason })[];
  /** Why no distributor can ship it; null when one can. */
  reason: IneligibleReason | null;
}

/**
 * Per line, which distributors can ship it or why none can. `maxLeadTimeDays` defaults to the
 * shop's setting (1 day unless the owner changed it).
 */
export async function dropshipEligibility(
  db: DbOrTx,
  shopId: string,
  lines: readonly EligibilityLine[],
  options: { maxLeadTimeDays?: number } = {},
): Promise<LineEligibility[]> {
  const maxDays = options.maxLeadTimeDays ?? (await maxLeadTimeDaysFor(db, shopId));
  const carried = await carriedItemsFor(db, shopId, lines.map((l) => l.sku ?? "").filter(Boolean));
  return lines.map((line) =>
    judgeLine(line, line.sku ? (carried.get(line.sku) ?? []) : [], maxDays),
  );
}

/** Eligibility of every line of one of the shop's orders; null when the order is not the shop's. */
export async function orderDropshipEligibility(
  db: DbOrTx,
  shopId: string,
  orderId: string,
): Promise<LineEligibility[] | null> {
  const [order] = await db
    .select({ id: orders.id })
    .from(orders)
    .where(and(eq(orders.id, orderId), eq(orders.shopId, shopId)))
    .limit(1);
  if (!order) return null;
  const lines = await db
    .select({ id: lineItems.id, sku: lineItems.sku, quantity: lineItems.quantity })
    .from(lineItems)
    .where(and(eq(lineItems.orderId, orderId), eq(lineItems.shopId, shopId)))
    .orderBy(asc(lineItems.position));
  return dropshipEligibility(db, shopId, lines);
}

/** Which of these orders have at least one item a distributor can ship now (the catalog's mark). */
export async function ordersWithEligibleItems(
  db: DbOrTx,
  shopId: string,
  orderIds: readonly string[],
): Promise<Set<string>> {
  if (orderIds.length === 0) return new Set();
  const lines = await db
    .select({
      id: lineItems.id,
      orderId: lineItems.orderId,
      sku: lineItems.sku,
      quantity: lineItems.quantity,
    })
    .from(lineItems)
    .where(and(eq(lineItems.shopId, shopId), inArray(lineItems.orderId, [...orderIds])));
  const judged = await dropshipEligibility(db, shopId, lines);
  const orderOf = new Map(lines.map((l) => [l.id, l.orderId]));
  return new Set(judged.filter((j) => j.eligible).map((j) => orderOf.get(j.lineId)!));
}

/** Whether the shop has a distributor at all: only then does the catalog show drop-ship marks. */
export async function shopHasDistributors(db: DbOrTx, shopId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: providers.id })
    .from(providers)
    .where(and(eq(providers.shopId, shopId), eq(providers.kind, "distributor")))
    .limit(1);
  return Boolean(row);
}

export async function maxLeadTimeDaysFor(db: DbOrTx, shopId: string): Promise<number> {
  const [shop] = await db
    .select({ settings: shops.settings })
    .from(shops)
    .where(eq(shops.id, shopId))
    .limit(1);
  return shopSettings(shop ?? { settings: null }).dropshipMaxLeadTimeDays;
}

export function judgeLine(
  line: EligibilityLine,
  carried: readonly CarriedItem[],
  maxDays: number,
): LineEligibility {
  const base = { lineId: line.id, sku: line.sku, quantity: line.quantity };
  if (!line.sku) {
    return { ...base, eligible: false, options: [], others: [], reason: { code: "no_sku" } };
  }
  const options: DistributorOption[] = [];
  const others: LineEligibility["others"] = [];
  for (const item of carried) {
    if (item.stock < line.quantity) {
      others.push({
        ...item,
        reason: { code: "out_of_stock", bestStock: Math.max(0, item.stock), needed: line.quantity },
      });
    } else if (item.leadTimeDays > maxDays) {
      others.push({ ...item, reason: { code: "lead_time", days: item.leadTimeDays, maxDays } });
    } else {
      options.push(item);
    }
  }
  options.sort(
    (a, b) =>
      Number(a.cost) - Number(b.cost) ||
      a.leadTimeDays - b.leadTimeDays ||
      b.stock - a.stock ||
      a.distributorName.localeCompare(b.distributorName),
  );
  if (options.length > 0) return { ...base, eligible: true, options, others, reason: null };
  return {
    ...base,
    eligible: false,
    options,
    others,
    reason: overallReason(line, carried, maxDays),
  };
}

/**
 * The one reason shown for an item none can ship: not carried; else, when some warehouse has the
 * stock, its lead time (the shortest such); else out of stock, with the most any warehouse has.
 */
function overallReason(
  line: EligibilityLine,
  carried: readonly CarriedItem[],
  maxDays: number,
): IneligibleReason {
  if (carried.length === 0) return { code: "not_carried" };
  const stocked = carried.filter((c) => c.stock >= line.quantity);
  if (stocked.length > 0) {
    return { code: "lead_time", days: Math.min(...stocked.map((c) => c.leadTimeDays)), maxDays };
  }
  return {
    code: "out_of_stock",
    bestStock: Math.max(0, ...carried.map((c) => c.stock)),
    needed: line.quantity,
  };
}

function days(n: number): string {
  return `${n} day${n === 1 ? "" : "s"}`;
}

/** The reason in the owner's words. */
export function ineligibleWords(reason: IneligibleReason): string {
  switch (reason.code) {
    case "no_sku":
      return "Has no SKU, so no distributor can be matched to it";
    case "not_carried":
      return "Not carried by any of your distributors";
    case "out_of_stock":
      return reason.bestStock === 0
        ? "Out of stock at every distributor that carries it"
        : `Out of stock: at most ${reason.bestStock} in one warehouse, ${reason.needed} needed`;
    case "lead_time":
      return `Lead time ${days(reason.days)} (your limit is ${days(reason.maxDays)})`;
  }
}
