// Reading one order with what the lifecycle needs to decide about it, and moving it from one state
// to another. Every state change goes through `transition`, which asks the lifecycle table first and
// writes the timeline in the same transaction.
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Tx } from "~/db/client.server";
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

export interface LockedOrder {
  order: OrderRow;
  shop: ShopRow;
  /** What the lifecycle's guards need, read with the lock in the same query. */
  hasShipment: boolean;
  anythingSent: boolean;
}

/** Locks the order row for the rest of the transaction: concurrent actions on it queue up here. */
export async function lockOrder(
  tx: Tx,
  shopId: string,
  orderId: string,
): Promise<LockedOrder | null> {
  const [row] = await tx
    .select({
      order: orders,
      shop: shops,
      hasShipment: sql<boolean>`exists (select 1 from ${shipments} where ${shipments.orderId} = ${orders.id})`,
      anythingSent: sql<boolean>`exists (select 1 from ${submissions} where ${submissions.orderId} = ${orders.id}
        and (${submissions.attempts} > 0 or ${inArray(submissions.state, ["submitted", "submitting"])}))`,
    })
    .from(orders)
    .innerJoin(shops, eq(shops.id, orders.shopId))
    .where(and(eq(orders.id, orderId), eq(orders.shopId, shopId)))
    .for("update", { of: orders })
    .limit(1);
  return row ?? null;
}

/** The facts the lifecycle table decides on, for a locked order and whoever is acting. */
export function orderFacts(locked: LockedOrder, acting: ActingAs): OrderFacts {
  return {
    state: locked.order.state,
    cartStatus: locked.order.cartStatus,
    processingMode: shopSettings(locked.shop).processingMode,
    hasShipment: locked.hasShipment,
    anythingSent: locked.anythingSent,
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
  /** Facts already worked out in this transaction. */
  facts?: OrderFacts;
}

/**
 * Applies a lifecycle action to a locked order: refused (LifecycleRefusal) unless the table allows
 * it; otherwise the new state, the extra columns and one timeline row, together.
 */
export async function transition(
  tx: Tx,
  locked: LockedOrder,
  options: TransitionOptions,
): Promise<LifecycleState> {
  const { order } = locked;
  const facts = options.facts ?? orderFacts(locked, options.acting);
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
