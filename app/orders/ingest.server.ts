// Orders arriving from a cart (webhook or Import) become rows here, and nowhere else.
import type { NormalizedOrder } from "~/carts/connector";
import type { AppContext } from "~/context.server";
import type { ShopRow } from "./orders.server";

export type IngestCtx = Pick<AppContext, "db" | "jobs" | "config" | "shopify">;

export interface IngestOutcome {
  cartOrderId: string;
  /**
   * created / updated: stored; stale: older than what we have, ignored; archived: the owner archived
   * it, so it is never re-imported; skipped: not an order we keep (a checkout draft, say).
   */
  outcome: "created" | "updated" | "stale" | "archived" | "skipped";
  orderId: string | null;
  reason?: string;
}

export interface IngestVia {
  source: "webhook" | "import";
}

/**
 * Stores what the cart says about these orders (one transaction for the batch): creates or updates
 * each, keeps the owner's manual edits, ignores updates older than the stored watermark, never
 * brings back archived orders, and moves the lifecycle when the cart status changed (on-hold pauses
 * the countdown, processing resumes it, cancelled/refunded stops it and cancels what it can).
 */
export async function ingestCartOrders(
  ctx: IngestCtx,
  shop: ShopRow,
  incoming: NormalizedOrder[],
  via: IngestVia,
): Promise<IngestOutcome[]> {
  // TODO(order sync): implemented with the order-sync work.
  void ctx;
  void shop;
  void via;
  return incoming.map((o) => ({
    cartOrderId: o.cartOrderId,
    outcome: "skipped",
    orderId: null,
    reason: "not implemented",
  }));
}

/** The cart deleted the order: remove ours unless something was sent (then alert the owner). */
export async function removeCartOrder(
  ctx: IngestCtx,
  shop: ShopRow,
  cartOrderId: string,
): Promise<{ removed: boolean; reason?: string }> {
  // TODO(order sync): implemented with the order-sync work.
  void ctx;
  void shop;
  void cartOrderId;
  return { removed: false, reason: "not implemented" };
}
