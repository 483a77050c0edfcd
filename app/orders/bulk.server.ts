// Bulk actions from the catalog: the same one-order door as everywhere else (runOrderAction), run
// order by order, each in its own transaction, so one refusal or failure never stops or undoes the
// others, and every order gets its own answer.
import { and, eq, inArray } from "drizzle-orm";
import type { AppContext } from "~/context.server";
import { orders } from "~/db/schema";
import { runOrderAction } from "./actions.server";
import { matchingOrderIds, type CatalogFilters } from "./catalog.server";
import { ACTION_LABELS, offeredIn, type OrderAction } from "~/orders/core/lifecycle";
import type { ProcessingMode } from "~/orders/core/model";
import type { ActingAs } from "~/orders/core/transitions.server";

type Ctx = Pick<AppContext, "db" | "jobs" | "config" | "presence">;

export const BULK_ACTIONS = [
  "submit",
  "reprocess",
  "revalidate",
  "schedule_process",
  "reset",
  "archive",
  "delete",
] as const satisfies readonly OrderAction[];
export type BulkAction = (typeof BULK_ACTIONS)[number];

/** The bulk actions a shop in this processing mode has (the lifecycle table says which). */
export function bulkActionsFor(mode: ProcessingMode): BulkAction[] {
  return BULK_ACTIONS.filter((action) => offeredIn(action, mode));
}

/**
 * Most orders one bulk run handles. The run happens inside the owner's request (each order is a
 * short transaction); past this many the owner is asked to narrow the filter. See decision 0010.
 */
export const BULK_CAP = 250;

export type BulkSelection = { ids: string[] } | { allMatching: CatalogFilters };

export type BulkOutcome =
  /** The action did what it says (for Submit: purchase orders created and queued). */
  | "done"
  /** Submit only: the order was already submitted, so it was left alone. */
  | "already_submitted"
  /** Refused (the lifecycle or the cart said no), invalid, or not found: nothing changed. */
  | "failed";

export interface BulkOrderResult {
  orderId: string;
  /** The cart's order number, or null when the order does not exist (anymore) in this shop. */
  number: string | null;
  outcome: BulkOutcome;
  message: string;
}

export interface BulkSummary {
  action: BulkAction;
  label: string;
  total: number;
  done: number;
  alreadySubmitted: number;
  failed: number;
  results: BulkOrderResult[];
}

export type BulkRun =
  { ok: true; summary: BulkSummary } | { ok: false; reason: string; code: "too_many" | "empty" };

export async function runBulkAction(
  ctx: Ctx,
  shopId: string,
  action: BulkAction,
  selection: BulkSelection,
  acting: ActingAs,
): Promise<BulkRun> {
  const ids =
    "ids" in selection
      ? [...new Set(selection.ids)]
      : await matchingOrderIds(ctx.db, shopId, selection.allMatching, BULK_CAP);
  if (ids.length === 0) {
    return { ok: false, code: "empty", reason: "No orders were selected" };
  }
  if (ids.length > BULK_CAP) {
    return {
      ok: false,
      code: "too_many",
      reason: `More than ${BULK_CAP} orders are selected; narrow the filter (by type, status or state) and run it again in parts`,
    };
  }

  const known = await ctx.db
    .select({ id: orders.id, number: orders.cartOrderNumber })
    .from(orders)
    .where(and(eq(orders.shopId, shopId), inArray(orders.id, ids)));
  const numbers = new Map(known.map((o) => [o.id, o.number]));

  const results: BulkOrderResult[] = [];
  for (const orderId of ids) {
    const number = numbers.get(orderId) ?? null;
    if (number === null) {
      results.push({ orderId, number, outcome: "failed", message: "No such order in this shop" });
      continue;
    }
    try {
      results.push({ orderId, number, ...(await runOne(ctx, shopId, orderId, action, acting)) });
    } catch (err) {
      // An unexpected failure on one order must not hide the answers for the others.
      console.error(`[bulk] ${action} on order ${orderId} failed`, err);
      results.push({
        orderId,
        number,
        outcome: "failed",
        message: "Something went wrong on our side; nothing was changed. Try this order again",
      });
    }
  }
  return {
    ok: true,
    summary: {
      action,
      label: ACTION_LABELS[action],
      total: results.length,
      done: results.filter((r) => r.outcome === "done").length,
      alreadySubmitted: results.filter((r) => r.outcome === "already_submitted").length,
      failed: results.filter((r) => r.outcome === "failed").length,
      results,
    },
  };
}

async function runOne(
  ctx: Ctx,
  shopId: string,
  orderId: string,
  action: BulkAction,
  acting: ActingAs,
): Promise<{ outcome: BulkOutcome; message: string }> {
  const outcome = await runOrderAction(ctx, shopId, orderId, action, acting);
  if (outcome.ok) return { outcome: "done", message: outcome.message };
  return {
    outcome: outcome.alreadyDone ? "already_submitted" : "failed",
    message: outcome.reason,
  };
}
