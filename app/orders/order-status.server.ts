// The shop's own order statuses (DESIGN §9, decision 0046): reading them (every shop has the
// defaults), and choosing one for an order. A choice is written to the cart first and stored only
// once the cart accepts, as every status change is (set-cart-status.server.ts); a refusal leaves
// the order as it was and says so on its timeline in the cart's own words.
import { and, asc, eq } from "drizzle-orm";
import type { CartStatusWrite } from "~/carts/connector";
import { connectorFor } from "~/carts/connectors.server";
import { normalizeWooStatus } from "~/carts/woocommerce/normalize";
import type { Db, DbOrTx } from "~/db/client.server";
import { orderStatuses, orders, shops } from "~/db/schema";
import type { CartStatus } from "~/orders/core/model";
import {
  DEFAULT_ORDER_STATUSES,
  statusChoiceRefusal,
  type OrderStatusEffect,
} from "~/orders/core/order-statuses";
import { addTimelineEntry } from "~/orders/core/timeline.server";
import { lockOrder, type ActingAs } from "~/orders/core/transitions.server";
import { cartName, cartStatusWords } from "~/ui/cart-words";
import type { CartChangeCtx } from "./cart-changes.server";
import { NOT_FOUND, refused, type ActionOutcome } from "./outcome.server";
import { followCartHold, rawAfter } from "./set-cart-status.server";

export type OrderStatusRow = typeof orderStatuses.$inferSelect;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An id that cannot be an order's (a typo in a URL) is no order of this shop. */
export function isOrderId(id: string): boolean {
  return UUID.test(id);
}

/**
 * The shop's statuses in the owner's order. A shop made after the migration gets the defaults the
 * first time they are read (the insert ignores rows another request made meanwhile).
 */
export async function shopOrderStatuses(db: DbOrTx, shopId: string): Promise<OrderStatusRow[]> {
  const read = () =>
    db
      .select()
      .from(orderStatuses)
      .where(eq(orderStatuses.shopId, shopId))
      .orderBy(asc(orderStatuses.position), asc(orderStatuses.key));
  const rows = await read();
  if (rows.length > 0) return rows;
  await db
    .insert(orderStatuses)
    .values(DEFAULT_ORDER_STATUSES.map((s, position) => ({ ...s, shopId, position })))
    .onConflictDoNothing();
  return read();
}

/** The label of a key, or the key itself for a status that no longer exists. */
export function statusLabel(rows: readonly OrderStatusRow[], key: string): string {
  return rows.find((r) => r.key === key)?.label ?? key;
}

/** What the cart is asked to do for a status; null when it writes nothing there. */
export function cartWriteFor(
  status: Pick<OrderStatusRow, "cartEffect" | "cartStatus">,
): CartStatusWrite | null {
  const effect: OrderStatusEffect = status.cartEffect;
  switch (effect) {
    case "release":
      return { kind: "release" };
    case "hold_fraud":
      return { kind: "hold", reason: "fraud" };
    case "hold_other":
      return { kind: "hold", reason: "other" };
    case "complete":
      return { kind: "complete" };
    case "woo_status":
      return status.cartStatus ? { kind: "status", status: status.cartStatus } : null;
    case "none":
    case "cancel":
      return null;
  }
}

/** The cart's status after a write, as the order row keeps it (normalised and the cart's word). */
function cartSideAfter(
  platform: string,
  order: { cartStatus: CartStatus; cartStatusRaw: string },
  write: CartStatusWrite | null,
): { cartStatus: CartStatus; cartStatusRaw: string } {
  // Only these two columns: the caller spreads the answer into its UPDATE.
  const unchanged = { cartStatus: order.cartStatus, cartStatusRaw: order.cartStatusRaw };
  if (!write) return unchanged;
  switch (write.kind) {
    case "hold":
      return {
        cartStatus: "on_hold",
        cartStatusRaw: rawAfter(platform, order.cartStatusRaw, "hold"),
      };
    case "release":
      return {
        cartStatus: order.cartStatus === "on_hold" ? "processing" : order.cartStatus,
        cartStatusRaw: rawAfter(platform, order.cartStatusRaw, "release"),
      };
    case "complete":
      if (platform === "woocommerce")
        return { cartStatus: "completed", cartStatusRaw: "completed" };
      if (platform === "demo") return { cartStatus: "completed", cartStatusRaw: "fulfilled" };
      return unchanged; // Shopify already shows a shipped order as fulfilled
    case "status":
      return { cartStatus: normalizeWooStatus(write.status), cartStatusRaw: write.status };
  }
}

/** Everything on the order has shipped: the lifecycle closed it, or the cart says completed. */
function everythingShipped(order: { state: string; cartStatus: CartStatus }): boolean {
  return order.state === "closed" || order.cartStatus === "completed";
}

/**
 * Which statuses the owner may choose for an order now, and why not the others: the order
 * page's dropdown greys those out with the reason, the same reason the API answers 409 with.
 */
export function statusChoices(
  rows: readonly OrderStatusRow[],
  order: { orderStatusKey: string; state: string; cartStatus: CartStatus },
  platform: string,
): { key: string; label: string; refusal: string | null; effect: OrderStatusEffect }[] {
  const facts = {
    current: order.orderStatusKey,
    everythingShipped: everythingShipped(order),
    platform,
  };
  return rows
    .filter((r) => !r.retired || r.key === order.orderStatusKey)
    .map((r) => ({
      key: r.key,
      label: r.label,
      effect: r.cartEffect,
      refusal:
        r.key === order.orderStatusKey
          ? null
          : statusChoiceRefusal(r, (k) => statusLabel(rows, k), facts),
    }));
}

export type StatusChoiceOutcome =
  | ActionOutcome
  /** Cancelled runs Cancel Order, which the owner must confirm: 409 with where to go. */
  | { ok: false; code: "use_cancel_order"; reason: string };

/**
 * Sets the order's status to `key`: checked against the rules, written to the cart, then stored
 * with the countdown paused or resumed as the status says.
 */
export async function chooseOrderStatus(
  ctx: CartChangeCtx,
  shopId: string,
  orderId: string,
  key: string,
  acting: ActingAs,
): Promise<StatusChoiceOutcome> {
  if (!isOrderId(orderId)) return NOT_FOUND;
  const [row] = await ctx.db
    .select({ order: orders, shop: shops })
    .from(orders)
    .innerJoin(shops, eq(shops.id, orders.shopId))
    .where(and(eq(orders.id, orderId), eq(orders.shopId, shopId)))
    .limit(1);
  if (!row) return NOT_FOUND;
  const { order, shop } = row;
  const rows = await shopOrderStatuses(ctx.db, shopId);
  const next = rows.find((r) => r.key === key);
  if (!next) {
    return {
      ok: false,
      code: "invalid",
      reason: `This shop has no status "${key}"; its statuses are ${rows
        .filter((r) => !r.retired)
        .map((r) => r.key)
        .join(", ")}.`,
    };
  }
  const labelOf = (k: string) => statusLabel(rows, k);
  const refusal = statusChoiceRefusal(next, labelOf, {
    current: order.orderStatusKey,
    everythingShipped: everythingShipped(order),
    platform: shop.platform,
  });
  if (refusal) {
    return next.cartEffect === "cancel" && next.key !== order.orderStatusKey
      ? { ok: false, code: "use_cancel_order", reason: refusal }
      : refused(refusal);
  }

  const write = cartWriteFor(next);
  const from = labelOf(order.orderStatusKey);
  if (write) {
    const answer = await connectorFor(ctx, shop).writeOrderStatus(
      { cartOrderId: order.cartOrderId, cartOrderNumber: order.cartOrderNumber },
      write,
    );
    if (!answer.ok) {
      const reason = answer.retryable
        ? `${cartName(shop.platform)} could not be reached, so nothing was changed; try again in a moment (${answer.reason})`
        : `${cartName(shop.platform)} refused: ${answer.reason}`;
      await addTimelineEntry(ctx.db, {
        shopId,
        orderId,
        actor: acting.actor,
        actorName: acting.name ?? null,
        action: "status_refused",
        message: `${from} → ${next.label} was not made: ${reason}`,
        data: { from: order.orderStatusKey, to: next.key },
      });
      return refused(reason);
    }
  }

  return ctx.db.transaction(async (tx): Promise<ActionOutcome> => {
    const locked = await lockOrder(tx, shopId, orderId);
    if (!locked) return NOT_FOUND;
    const now = new Date();
    const current = locked.order;
    const after = cartSideAfter(locked.shop.platform, current, write);
    await tx
      .update(orders)
      .set({ orderStatusKey: next.key, ...after, updatedAt: now })
      .where(and(eq(orders.id, orderId), eq(orders.shopId, shopId)));
    const cartChanged = after.cartStatusRaw !== current.cartStatusRaw;
    await addTimelineEntry(tx, {
      shopId,
      orderId,
      actor: acting.actor,
      actorName: acting.name ?? null,
      action: "status_changed",
      message:
        `${labelOf(current.orderStatusKey)} → ${next.label}` +
        (cartChanged
          ? ` (in ${cartName(locked.shop.platform)}: ${cartStatusWords(locked.shop.platform, current.cartStatusRaw)} → ${cartStatusWords(locked.shop.platform, after.cartStatusRaw)})`
          : ""),
      data: { from: current.orderStatusKey, to: next.key },
    });

    // The countdown follows: a pausing status pauses it; leaving one resumes it, unless the
    // cart still holds the order.
    const inTx = { ...ctx, db: tx as unknown as Db };
    let message = `Status set to ${next.label}`;
    if (next.pausesCountdown && current.state === "new") {
      const held = await followCartHold(inTx, tx, shopId, orderId, "hold", acting, now);
      if (held.ok) message += "; the countdown is paused";
    } else if (
      !next.pausesCountdown &&
      current.state === "on_hold" &&
      after.cartStatus !== "on_hold"
    ) {
      const released = await followCartHold(inTx, tx, shopId, orderId, "release", acting, now);
      if (released.ok) message += "; the countdown runs again";
    }
    return { ok: true, message, orderId };
  });
}
