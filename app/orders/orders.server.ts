// Reading one order with what the lifecycle needs to decide about it, and moving it from one state
// to another. Every state change goes through `transition`, which asks the lifecycle table first and
// writes the timeline in the same transaction.
import { and, eq, inArray, sql } from "drizzle-orm";
import type { DbOrTx, Tx } from "~/db/client.server";
import { orders, shipments, shops, submissions } from "~/db/schema";
import type { Actor } from "./events.server";
import { recordOrderEvent } from "./events.server";
import { assertAllowed, type OrderAction, type OrderFacts } from "./lifecycle";
import {
  DEFAULT_SHOP_SETTINGS,
  type LifecycleState,
  type OrderAlert,
  type ShopSettings,
} from "./model";

export type OrderRow = typeof orders.$inferSelect;
export type ShopRow = typeof shops.$inferSelect;

/** Settings with defaults for keys added after the shop was created. */
export function shopSettings(shop: Pick<ShopRow, "settings">): ShopSettings {
  return { ...DEFAULT_SHOP_SETTINGS, ...shop.settings };
}

export interface ActingAs {
  actor: Actor;
  name?: string | null;
  isAccountAdmin?: boolean;
}

/** Locks the order row for the rest of the transaction: concurrent actions on it queue up here. */
export async function lockOrder(
  tx: Tx,
  shopId: string,
  orderId: string,
): Promise<{ order: OrderRow; shop: ShopRow } | null> {
  const [row] = await tx
    .select({ order: orders, shop: shops })
    .from(orders)
    .innerJoin(shops, eq(shops.id, orders.shopId))
    .where(and(eq(orders.id, orderId), eq(orders.shopId, shopId)))
    .for("update", { of: orders })
    .limit(1);
  return row ?? null;
}

export async function orderFacts(
  db: DbOrTx,
  order: OrderRow,
  shop: ShopRow,
  acting: ActingAs,
): Promise<OrderFacts> {
  const [counts] = await db
    .select({
      shipments: sql<number>`(select count(*)::int from ${shipments} where ${shipments.orderId} = ${order.id})`,
      sent: sql<number>`(select count(*)::int from ${submissions} where ${submissions.orderId} = ${order.id}
        and (${submissions.attempts} > 0 or ${inArray(submissions.state, ["submitted", "submitting"])}))`,
    })
    .from(orders)
    .where(eq(orders.id, order.id));
  return {
    state: order.state,
    cartStatus: order.cartStatus,
    processingMode: shopSettings(shop).processingMode,
    hasShipment: (counts?.shipments ?? 0) > 0,
    anythingSent: (counts?.sent ?? 0) > 0,
    isAccountAdmin: acting.isAccountAdmin ?? false,
  };
}

export interface TransitionOptions {
  action: OrderAction;
  acting: ActingAs;
  message?: string;
  data?: Record<string, unknown>;
  /** Other columns to change with the state (countdown, alert…). */
  set?: Partial<Pick<OrderRow, "autoSubmitAt" | "autoSubmitRemainingMs" | "alert">>;
  /** Facts already loaded in this transaction. */
  facts?: OrderFacts;
}

/**
 * Applies a lifecycle action to a locked order: refused (LifecycleRefusal) unless the table allows
 * it; otherwise the new state, the extra columns and one timeline row, together.
 */
export async function transition(
  tx: Tx,
  order: OrderRow,
  shop: ShopRow,
  options: TransitionOptions,
): Promise<LifecycleState> {
  const facts = options.facts ?? (await orderFacts(tx, order, shop, options.acting));
  const to = assertAllowed(options.action, facts);
  if (to === null) throw new Error(`${options.action} removes the order; use the delete service`);
  await tx
    .update(orders)
    .set({ state: to, ...options.set, updatedAt: new Date() })
    .where(and(eq(orders.id, order.id), eq(orders.shopId, order.shopId)));
  await recordOrderEvent(tx, {
    shopId: order.shopId,
    orderId: order.id,
    actor: options.acting.actor,
    actorName: options.acting.name ?? null,
    action: options.action,
    fromState: order.state,
    toState: to,
    message: options.message ?? null,
    data: options.data ?? null,
  });
  return to;
}

export function alertOf(code: string, message: string, fix: string): OrderAlert {
  return { code, message, fix };
}
