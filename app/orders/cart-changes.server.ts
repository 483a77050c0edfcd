// What Orderlane does when the cart changes an order it already has: a new cart status moves the
// lifecycle (on hold pauses the countdown, processing resumes or starts it, cancelled and refunded
// withdraw what was not sent), and a deletion removes the order unless the lifecycle table keeps
// it because a provider may already be making it. The other direction, the owner changing the
// cart's status from here, is `set-cart-status.server.ts`.
import { and, eq } from "drizzle-orm";
import type { AppContext } from "~/context.server";
import type { Db, Tx } from "~/db/client.server";
import { orders } from "~/db/schema";
import { cancelFulfillment } from "~/fulfillment/cancel.server";
import { alertOf } from "~/orders/core/alerts";
import { decide } from "~/orders/core/lifecycle";
import type { CartStatus } from "~/orders/core/model";
import { addTimelineEntry } from "~/orders/core/timeline.server";
import {
  lockOrder,
  orderFacts,
  type ActingAs,
  type OrderRow,
} from "~/orders/core/transitions.server";
import type { Shop } from "~/shops/shops.server";
import { shopSettings } from "~/orders/core/shop-settings";
import { formatOrderTime } from "~/ui/format";
import { countdownBlocker, holdOrder, releaseOrder, startCountdown } from "./countdown.server";

export type CartChangeCtx = Pick<AppContext, "db" | "jobs" | "config" | "shopify">;

const CART: ActingAs = { actor: "cart", name: "Cart" };

/** Cart statuses after which nothing more should be made or sent. */
const STOPPED: ReadonlySet<CartStatus> = new Set<CartStatus>(["cancelled", "refunded"]);

/**
 * Moves one updated order's lifecycle after its cart status, inside the transaction that stored
 * the update (`ctx.db` is that transaction): on hold pauses the countdown, processing resumes it
 * (or starts it once the order is eligible), cancelled and refunded stop it and withdraw what has
 * not been sent.
 */
export async function followCartStatus(
  ctx: Omit<CartChangeCtx, "db"> & { db: Db },
  tx: Tx,
  shop: Shop,
  before: OrderRow,
  after: OrderRow,
  now: Date,
): Promise<void> {
  const changed = before.cartStatus !== after.cartStatus;
  if (changed && STOPPED.has(after.cartStatus)) {
    await cancelFulfillment(ctx, shop.id, after.id, CART);
    return;
  }
  if (changed && after.cartStatus === "on_hold" && after.state === "new") {
    await holdOrder(ctx, shop.id, after.id, CART, now);
    return;
  }
  let current: OrderRow | undefined = after;
  if (changed && before.cartStatus === "on_hold" && after.state === "on_hold") {
    const released = await releaseOrder(ctx, shop.id, after.id, CART, now);
    if (!released.ok) return;
    [current] = await tx
      .select()
      .from(orders)
      .where(and(eq(orders.id, after.id), eq(orders.shopId, shop.id)))
      .limit(1);
  }
  if (current) await keepCountdownTrue(ctx, tx, shop, current, now);
}

/**
 * A countdown whose order is no longer eligible (no longer paid, no longer In-app) stops now
 * rather than at its deadline, so the owner sees why at once; an order that has just become
 * eligible starts one. An order already counting keeps its deadline.
 */
async function keepCountdownTrue(
  ctx: Pick<AppContext, "jobs">,
  tx: Tx,
  shop: Shop,
  order: OrderRow,
  now: Date,
): Promise<void> {
  if (order.state !== "new") return;
  const blocker = countdownBlocker(order, shop);
  if (order.autoSubmitAt !== null && blocker) {
    await tx
      .update(orders)
      .set({ autoSubmitAt: null, autoSubmitRemainingMs: null, updatedAt: now })
      .where(and(eq(orders.id, order.id), eq(orders.shopId, shop.id)));
    await addTimelineEntry(tx, {
      shopId: shop.id,
      orderId: order.id,
      actor: "cart",
      action: "countdown_stopped",
      message: `Countdown stopped: ${blocker}`,
    });
    return;
  }
  if (order.autoSubmitAt !== null || order.autoSubmitRemainingMs !== null || blocker) return;
  const due = await startCountdown(ctx, tx, order, shop, now);
  if (due) {
    await addTimelineEntry(tx, {
      shopId: shop.id,
      orderId: order.id,
      actor: "cart",
      action: "countdown_started",
      message: `Ready for automatic submission on ${formatOrderTime(due, shopSettings(shop).timezone)}`,
    });
  }
}

/**
 * The cart deleted the order: ours goes too, unless the lifecycle table keeps it (something was
 * sent); then it stays, alerted, so the owner can ask the provider to stop it.
 */
export async function removeCartOrder(
  ctx: Pick<AppContext, "db">,
  shop: Shop,
  cartOrderId: string,
): Promise<{ removed: boolean; reason?: string }> {
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .select({ id: orders.id })
      .from(orders)
      .where(and(eq(orders.shopId, shop.id), eq(orders.cartOrderId, cartOrderId)))
      .limit(1);
    const locked = row ? await lockOrder(tx, shop.id, row.id) : null;
    if (!locked) return { removed: false, reason: "No such order" };
    const { order } = locked;
    const decision = decide("cart_delete", orderFacts(locked, CART));
    if (decision.allowed) {
      // Cascades to its lines, payments, timeline and unsent purchase orders.
      await tx.delete(orders).where(and(eq(orders.id, order.id), eq(orders.shopId, shop.id)));
      return { removed: true };
    }
    const alert = alertOf(
      "cart_deleted",
      decision.reason,
      "Cancel it with the provider if it should not be made, then archive it",
    );
    await tx
      .update(orders)
      .set({ alert, autoSubmitAt: null, updatedAt: new Date() })
      .where(and(eq(orders.id, order.id), eq(orders.shopId, shop.id)));
    await addTimelineEntry(tx, {
      shopId: shop.id,
      orderId: order.id,
      actor: "cart",
      action: "cart_deleted",
      message: alert.message,
    });
    return { removed: false, reason: alert.message };
  });
}
