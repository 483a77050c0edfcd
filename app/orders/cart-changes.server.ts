// What Orderlane does when the cart changes an order it already has: a new cart status moves the
// lifecycle (on hold pauses the countdown, processing resumes or starts it, cancelled and refunded
// withdraw what was not sent), and a deletion removes the order unless the lifecycle table keeps
// it because a provider may already be making it. A change to where an order goes or what is in it,
// once a provider accepted it, raises "Changed in the cart after it was sent" (the owner's
// answers are changed-after-sent.server.ts). The other direction, the owner changing the
// cart's status from here, is `set-cart-status.server.ts`.
import { and, eq } from "drizzle-orm";
import type { AppContext } from "~/context.server";
import type { Db, Tx } from "~/db/client.server";
import { orders, providers, submissions } from "~/db/schema";
import { cancelFulfillment } from "~/fulfillment/cancel.server";
import { CHANGE_CALLS } from "~/fulfillment/provider-kinds";
import { alertOf } from "~/orders/core/alerts";
import { decide } from "~/orders/core/lifecycle";
import type { CartStatus, SentLine, SentVersion } from "~/orders/core/model";
import { changedAlert, changesBetween, changeWords } from "./changed-after-sent";
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
  // Cancelled → refunded (Cancel Order read back) stops nothing more: it was stopped already.
  if (changed && STOPPED.has(after.cartStatus) && !STOPPED.has(before.cartStatus)) {
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

export interface ChangedOrder {
  before: OrderRow;
  after: OrderRow;
  /** The order's lines as stored before this update, and as the cart sent them now. */
  linesBefore: SentLine[];
  cartLines: SentLine[];
}

/**
 * The cart changed the shipping address, the items or their quantities of an order a provider
 * has accepted: the provider still has the old version, so the order carries an alert naming
 * what changed, old and new, until the owner answers it. Compared with what was sent (kept on the
 * alert), so a second change keeps the first's "old", and a change back clears the alert.
 */
export async function noticeChangeAfterSent(
  tx: Tx,
  shop: Shop,
  { before, after, linesBefore, cartLines }: ChangedOrder,
): Promise<void> {
  const previous = before.alert?.code === "changed_after_sent" ? before.alert : null;
  const sent: SentVersion = previous?.cartChange?.sent ?? {
    shippingAddress: before.shippingAddress,
    lines: linesBefore,
  };
  const now: SentVersion = { shippingAddress: after.shippingAddress, lines: cartLines };
  const changes = changesBetween(sent, now);
  const differsFromBefore =
    changesBetween({ shippingAddress: before.shippingAddress, lines: linesBefore }, now).length > 0;
  if (!differsFromBefore) return;
  const accepted = await tx
    .select({
      submissionId: submissions.id,
      poNumber: submissions.poNumber,
      providerName: providers.name,
      kind: providers.kind,
    })
    .from(submissions)
    .innerJoin(providers, eq(providers.id, submissions.providerId))
    .where(
      and(
        eq(submissions.shopId, shop.id),
        eq(submissions.orderId, after.id),
        eq(submissions.state, "submitted"),
      ),
    )
    .orderBy(submissions.createdAt);
  if (accepted.length === 0) return;
  const entry = { shopId: shop.id, orderId: after.id, actor: "cart" as const };
  if (changes.length === 0) {
    // Back to what the providers have: nothing for the owner to do any more.
    await tx
      .update(orders)
      .set({ alert: null, updatedAt: new Date() })
      .where(and(eq(orders.id, after.id), eq(orders.shopId, shop.id)));
    await addTimelineEntry(tx, {
      ...entry,
      action: "changed_after_sent_cleared",
      message: "The cart changed the order back to the version the provider has",
    });
    return;
  }
  // Another alert (a deletion, a refused cancellation) is the more urgent one and stays; the
  // change is on the timeline either way.
  if (before.alert && !previous) {
    await addTimelineEntry(tx, {
      ...entry,
      action: "changed_after_sent",
      message: `Changed in the cart after it was sent: ${changes.map(changeWords).join("; ")}`,
    });
    return;
  }
  const alert = changedAlert({
    sent,
    changes,
    removedCartLineIds: sent.lines
      .filter((l) => !cartLines.some((c) => c.cartLineId === l.cartLineId))
      .map((l) => l.cartLineId),
    purchaseOrders: accepted.map((row) => ({
      submissionId: row.submissionId,
      providerName: row.providerName,
      poNumber: row.poNumber,
      canUpdate: CHANGE_CALLS[row.kind].update,
      canCancel: CHANGE_CALLS[row.kind].cancel,
    })),
    previous: previous?.cartChange ?? null,
  });
  await tx
    .update(orders)
    .set({ alert, updatedAt: new Date() })
    .where(and(eq(orders.id, after.id), eq(orders.shopId, shop.id)));
  await addTimelineEntry(tx, {
    ...entry,
    action: "changed_after_sent",
    message: alert.message,
    data: { changes, updateKey: alert.cartChange?.updateKey },
  });
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
