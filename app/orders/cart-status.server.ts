// Two-way status: a status the owner sets in the app (Processing ↔ On hold, Cancel) is written to
// the cart first and stored only once the cart accepts, so both sides always say the same.
import { and, eq } from "drizzle-orm";
import type { CartStatusChange } from "~/carts/connector";
import { connectorFor } from "~/carts/connectors.server";
import type { Db } from "~/db/client.server";
import { orders } from "~/db/schema";
import { cancelFulfillment } from "~/fulfillment/cancel.server";
import type { ActionOutcome } from "./outcome.server";
import { holdOrder, releaseOrder, startCountdown } from "./countdown.server";
import { recordOrderEvent } from "~/orders/core/timeline.server";
import type { IngestCtx } from "./ingest.server";
import { decide } from "~/orders/core/lifecycle";
import type { CartStatus } from "~/orders/core/model";
import {
  lockOrder,
  orderFacts,
  type ActingAs,
  type LockedOrder,
} from "~/orders/core/transitions.server";

const DONE_WORDS: Record<CartStatusChange, string> = {
  hold: "Put on hold in the cart",
  release: "Released in the cart",
  cancel: "Cancelled in the cart",
};

/** Why the change cannot be made to this order, before the cart is asked; null when it can. */
function refusal(locked: LockedOrder, change: CartStatusChange, acting: ActingAs): string | null {
  const { order } = locked;
  if (change === "cancel") {
    // Whether the cart can still cancel (nothing fulfilled, no pending payment…) is the cart's call.
    if (order.cartStatus === "cancelled" || order.cartStatus === "refunded") {
      return "The cart already cancelled this order.";
    }
    return null;
  }
  const decision = decide(change, orderFacts(locked, acting));
  return decision.allowed ? null : decision.reason;
}

/** The cart's own word for the new status, as our cart-status column keeps it. */
function rawAfter(platform: string, raw: string, change: CartStatusChange): string {
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
  ctx: IngestCtx,
  shopId: string,
  orderId: string,
  change: CartStatusChange,
  acting: ActingAs,
): Promise<ActionOutcome> {
  // Look first without holding the lock: the cart call below can take seconds, and a row lock (or,
  // on the embedded database, its only connection) must not wait on the network.
  const seen = await ctx.db.transaction((tx) => lockOrder(tx, shopId, orderId));
  if (!seen) return { ok: false, code: "not_found", reason: "No such order" };
  const early = refusal(seen, change, acting);
  if (early) return { ok: false, code: "refused", reason: early };

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
    if (!locked) return { ok: false, code: "not_found", reason: "No such order" };
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
    await recordOrderEvent(tx, {
      shopId,
      orderId,
      actor: acting.actor,
      actorName: acting.name ?? null,
      action: `cart_${change}`,
      message: `${DONE_WORDS[change]} (cart status ${order.cartStatusRaw} → ${rawAfter(shop.platform, order.cartStatusRaw, change)})`,
    });
    if (change === "cancel") {
      await cancelFulfillment(inTx, shopId, orderId, acting);
      return { ok: true, message: DONE_WORDS[change], orderId };
    }
    // The order moved while the cart was asked: the cart's status is stored, the state stays.
    const moved = (r: { ok: boolean; reason?: string }) =>
      !r.ok
        ? `${DONE_WORDS[change]}; the order itself was not changed: ${r.reason ?? "it is gone"}`
        : null;
    if (change === "hold") {
      const held = await holdOrder(inTx, shopId, orderId, acting, now);
      const note = moved(held as { ok: boolean; reason?: string });
      if (note) return { ok: true, message: note, orderId };
    } else {
      const released = await releaseOrder(inTx, shopId, orderId, acting, now);
      const note = moved(released as { ok: boolean; reason?: string });
      if (note) return { ok: true, message: note, orderId };
      const [current] = await tx.select().from(orders).where(eq(orders.id, orderId)).limit(1);
      if (current && current.autoSubmitAt === null && current.autoSubmitRemainingMs === null) {
        await startCountdown(ctx, tx, current, shop, now);
      }
    }
    return { ok: true, message: DONE_WORDS[change], orderId };
  });
}
