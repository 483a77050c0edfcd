// Two-way status, the owner's side: a status the owner sets in the app (Processing ↔ On hold,
// Cancel) is written to the cart first and stored only once the cart accepts, so both sides always
// say the same. The cart's side, a status the cart changed, is `cart-changes.server.ts`.
import { and, eq } from "drizzle-orm";
import type { CartStatusChange } from "~/carts/connector";
import { connectorFor } from "~/carts/connectors.server";
import type { Db, Tx } from "~/db/client.server";
import { orders, shops } from "~/db/schema";
import { cancelFulfillment } from "~/fulfillment/cancel.server";
import type { CartStatus } from "~/orders/core/model";
import { addTimelineEntry } from "~/orders/core/timeline.server";
import {
  lockOrder,
  openForAction,
  type ActingAs,
  type LockedOrder,
} from "~/orders/core/transitions.server";
import type { CartChangeCtx } from "./cart-changes.server";
import { holdOrder, releaseOrder, startCountdown } from "./countdown.server";
import { cartName, cartStatusWords } from "~/ui/cart-words";
import { NOT_FOUND, refused, succeeded, type ActionOutcome } from "./outcome.server";

const DONE_WORDS: Record<CartStatusChange, string> = {
  hold: "Put on hold in the cart",
  release: "Released in the cart",
  cancel: "Cancelled in the cart",
};

/**
 * The order as it is before the cart is asked, or why the change cannot be made to it. Whether the
 * cart can still cancel (nothing fulfilled, no pending payment…) is the cart's call.
 */
async function lookBeforeAsking(
  tx: Tx,
  shopId: string,
  orderId: string,
  change: CartStatusChange,
  acting: ActingAs,
): Promise<{ ok: true; locked: LockedOrder } | { ok: false; outcome: ActionOutcome }> {
  if (change !== "cancel") {
    const opened = await openForAction(tx, shopId, orderId, change, acting);
    if (opened.ok) return { ok: true, locked: opened.locked };
    return { ok: false, outcome: opened.notFound ? NOT_FOUND : refused(opened.reason) };
  }
  const locked = await lockOrder(tx, shopId, orderId);
  if (!locked) return { ok: false, outcome: NOT_FOUND };
  const { cartStatus } = locked.order;
  if (cartStatus === "cancelled" || cartStatus === "refunded") {
    return { ok: false, outcome: refused("The cart already cancelled this order.") };
  }
  return { ok: true, locked };
}

/** The cart's own word for the new status, as our cart-status column keeps it. */
export function rawAfter(platform: string, raw: string, change: CartStatusChange): string {
  if (platform === "woocommerce") {
    return { hold: "on-hold", release: "processing", cancel: "cancelled" }[change];
  }
  const parts = raw
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p && p !== "on_hold" && p !== "cancelled");
  if (change === "hold") parts.push("on_hold");
  if (change === "cancel") parts.unshift("cancelled");
  return parts.join(", ");
}

export async function changeOrderStatus(
  ctx: CartChangeCtx,
  shopId: string,
  orderId: string,
  change: CartStatusChange,
  acting: ActingAs,
): Promise<ActionOutcome> {
  // Look first without holding the lock: the cart call below can take seconds, and a row lock (or,
  // on the embedded database, its only connection) must not wait on the network.
  const looked = await ctx.db.transaction((tx) =>
    lookBeforeAsking(tx, shopId, orderId, change, acting),
  );
  if (!looked.ok) return looked.outcome;
  const seen = looked.locked;

  const outcome = await connectorFor(ctx, seen.shop).setOrderStatus(
    { cartOrderId: seen.order.cartOrderId, cartOrderNumber: seen.order.cartOrderNumber },
    change,
  );
  if (!outcome.ok) {
    return {
      ok: false,
      code: "refused",
      reason: outcome.retryable
        ? `The cart could not be reached, so nothing was changed; try again in a moment (${outcome.reason})`
        : outcome.reason,
    };
  }

  // The cart accepted: store it. Should the order have moved meanwhile, the cart's own webhook
  // still brings its status here, so both sides end up saying the same.
  return ctx.db.transaction(async (tx): Promise<ActionOutcome> => {
    const locked = await lockOrder(tx, shopId, orderId);
    if (!locked) return NOT_FOUND;
    const now = new Date();
    const inTx = { ...ctx, db: tx as unknown as Db };
    const { order, shop } = locked;
    const cartStatus: CartStatus =
      change === "hold"
        ? "on_hold"
        : change === "cancel"
          ? "cancelled"
          : order.cartStatus === "on_hold"
            ? "processing"
            : order.cartStatus;
    await tx
      .update(orders)
      .set({
        cartStatus,
        cartStatusRaw: rawAfter(shop.platform, order.cartStatusRaw, change),
        updatedAt: now,
      })
      .where(and(eq(orders.id, order.id), eq(orders.shopId, shopId)));
    await addTimelineEntry(tx, {
      shopId,
      orderId,
      actor: acting.actor,
      actorName: acting.name ?? null,
      action: `cart_${change}`,
      message: `${DONE_WORDS[change]} (in ${cartName(shop.platform)}: ${cartStatusWords(shop.platform, order.cartStatusRaw)} → ${cartStatusWords(shop.platform, rawAfter(shop.platform, order.cartStatusRaw, change))})`,
    });
    if (change === "cancel") {
      await cancelFulfillment(inTx, shopId, orderId, acting);
      return { ok: true, message: DONE_WORDS[change], orderId };
    }
    const followed = await followCartHold(inTx, tx, shopId, orderId, change, acting, now);
    if (!followed.ok) {
      // The order moved while the cart was asked: the cart's status is stored, the state stays.
      return succeeded(
        orderId,
        `${DONE_WORDS[change]}; the order itself was not changed: ${followed.reason}`,
      );
    }
    return { ok: true, message: DONE_WORDS[change], orderId };
  });
}

/**
 * After the cart held or released the order: the order follows (On hold pauses the countdown;
 * a release resumes it, or starts it when it never ran). Inside the caller's transaction.
 */
export async function followCartHold(
  inTx: CartChangeCtx & { db: Db },
  tx: Tx,
  shopId: string,
  orderId: string,
  change: "hold" | "release",
  acting: ActingAs,
  now: Date,
): Promise<ActionOutcome> {
  const moved = change === "hold" ? holdOrder : releaseOrder;
  const result = await moved(inTx, shopId, orderId, acting, now);
  if (!result.ok) return result;
  if (change === "release") {
    const [current] = await tx
      .select()
      .from(orders)
      .where(and(eq(orders.id, orderId), eq(orders.shopId, shopId)))
      .limit(1);
    const [shopRow] = current
      ? await tx.select().from(shops).where(eq(shops.id, shopId)).limit(1)
      : [];
    if (
      current &&
      shopRow &&
      current.autoSubmitAt === null &&
      current.autoSubmitRemainingMs === null
    ) {
      await startCountdown(inTx, tx, current, shopRow, now);
    }
  }
  return result;
}
