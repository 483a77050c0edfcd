// Reading one order with what the lifecycle needs to decide about it, and moving it from one state
// to another. Every state change goes through `transition`, which asks the lifecycle table first and
// writes the timeline in the same transaction.
import { and, eq, inArray, sql } from "drizzle-orm";
import type { DbOrTx, Tx } from "~/db/client.server";
import { orders, shipments, shops, submissions } from "~/db/schema";
import type { Actor } from "./timeline.server";
import { addTimelineEntries } from "./timeline.server";
import { assertAllowed, decide, type OrderAction, type OrderFacts } from "./lifecycle";
import type { Shop } from "~/db/schema";
import type { CartStatus, LifecycleState } from "./model";
import { shopSettings } from "./shop-settings";

export type OrderRow = typeof orders.$inferSelect;

/**
 * Which of these cart order ids the shop already has (optionally only those in one cart status):
 * one indexed read, so a batch can tell new orders from known ones before it writes.
 */
export async function knownCartOrderIds(
  db: DbOrTx,
  shopId: string,
  cartOrderIds: readonly string[],
  only: { cartStatus?: CartStatus } = {},
): Promise<Set<string>> {
  if (cartOrderIds.length === 0) return new Set();
  const rows = await db
    .select({ cartOrderId: orders.cartOrderId })
    .from(orders)
    .where(
      and(
        eq(orders.shopId, shopId),
        inArray(orders.cartOrderId, [...cartOrderIds]),
        only.cartStatus ? eq(orders.cartStatus, only.cartStatus) : undefined,
      ),
    );
  return new Set(rows.map((r) => r.cartOrderId));
}

export interface ActingAs {
  actor: Actor;
  name?: string | null;
  isAccountAdmin?: boolean;
}

/** The owner acting through a page or the JSON API: their name goes on the timeline. */
export function actingFor(owner: { name: string; isAccountAdmin: boolean }): ActingAs {
  return { actor: "owner", name: owner.name, isAccountAdmin: owner.isAccountAdmin };
}

export interface LockedOrder {
  order: OrderRow;
  shop: Shop;
  /** What the lifecycle's guards need, read with the lock in the same query. */
  hasShipment: boolean;
  anythingSent: boolean;
  /** When the latest purchase order reached its provider; null when none has. */
  lastSentAt: Date | null;
}

/** Locks the order row for the rest of the transaction: concurrent actions on it queue up here. */
export async function lockOrder(
  tx: Tx,
  shopId: string,
  orderId: string,
): Promise<LockedOrder | null> {
  const [row] = await lockOrders(tx, shopId, [orderId]);
  return row ?? null;
}

/**
 * Locks several orders of one shop in one query (the countdown's batches). Rows are locked in id
 * order, so two batches that overlap wait for each other instead of deadlocking.
 */
export async function lockOrders(
  tx: Tx,
  shopId: string,
  orderIds: string[],
): Promise<LockedOrder[]> {
  if (orderIds.length === 0) return [];
  return tx
    .select({
      order: orders,
      shop: shops,
      hasShipment: sql<boolean>`exists (select 1 from ${shipments} where ${shipments.orderId} = ${orders.id})`,
      anythingSent: sql<boolean>`exists (select 1 from ${submissions} where ${submissions.orderId} = ${orders.id}
        and (${submissions.attempts} > 0 or ${inArray(submissions.state, ["submitted", "submitting"])}))`,
      lastSentAt: sql<Date | null>`(select max(${submissions.submittedAt}) from ${submissions}
        where ${submissions.orderId} = ${orders.id})`.mapWith((v: string | Date | null) =>
        v === null ? null : new Date(v),
      ),
    })
    .from(orders)
    .innerJoin(shops, eq(shops.id, orders.shopId))
    .where(and(inArray(orders.id, orderIds), eq(orders.shopId, shopId)))
    .orderBy(orders.id)
    .for("update", { of: orders });
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The facts the lifecycle table decides on, for a locked order and whoever is acting. */
export function orderFacts(locked: LockedOrder, acting: ActingAs, now = new Date()): OrderFacts {
  const settings = shopSettings(locked.shop);
  return {
    state: locked.order.state,
    cartStatus: locked.order.cartStatus,
    processingMode: settings.processingMode,
    hasShipment: locked.hasShipment,
    anythingSent: locked.anythingSent,
    isAccountAdmin: acting.isAccountAdmin ?? false,
    alertCode: locked.order.alert?.code ?? null,
    daysSinceSent: locked.lastSentAt
      ? Math.floor((now.getTime() - locked.lastSentAt.getTime()) / DAY_MS)
      : null,
    abandonAfterDays: settings.abandonAfterDays,
  };
}

export type OpenedOrder =
  | { ok: true; locked: LockedOrder; facts: OrderFacts }
  | { ok: false; notFound: true }
  | { ok: false; notFound?: never; reason: string };

/**
 * The opening every door to one order shares: lock it, read the facts, ask the lifecycle table
 * whether `action` may run. A refusal carries the table's reason, as the owner reads it.
 */
export async function openForAction(
  tx: Tx,
  shopId: string,
  orderId: string,
  action: OrderAction,
  acting: ActingAs,
): Promise<OpenedOrder> {
  const locked = await lockOrder(tx, shopId, orderId);
  if (!locked) return { ok: false, notFound: true };
  const facts = orderFacts(locked, acting);
  const decision = decide(action, facts);
  if (!decision.allowed) return { ok: false, reason: decision.reason };
  return { ok: true, locked, facts };
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
  const [to] = await transitionMany(tx, [{ locked, ...options }]);
  return to!;
}

/**
 * `transition` for many orders at once, with the same guarantee: every change is asked of the
 * lifecycle table before anything is written (one refusal writes nothing), then orders that move
 * alike are updated in one statement and the timeline gets one row each, in one insert.
 */
export async function transitionMany(
  tx: Tx,
  changes: (TransitionOptions & { locked: LockedOrder })[],
): Promise<LifecycleState[]> {
  const targets = changes.map((change) => {
    const facts = change.facts ?? orderFacts(change.locked, change.acting);
    const to = assertAllowed(change.action, facts);
    if (to === null) throw new Error(`${change.action} removes the order; use the delete service`);
    return to;
  });
  // Orders moving to the same state with the same extra columns share one UPDATE.
  const groups = new Map<
    string,
    { to: LifecycleState; set: TransitionOptions["set"]; ids: string[] }
  >();
  changes.forEach((change, i) => {
    const to = targets[i]!;
    const key = JSON.stringify([change.locked.order.shopId, to, change.set ?? {}]);
    const group = groups.get(key) ?? { to, set: change.set, ids: [] };
    group.ids.push(change.locked.order.id);
    groups.set(key, group);
  });
  for (const [key, group] of groups) {
    const shopId = (JSON.parse(key) as [string])[0];
    await tx
      .update(orders)
      .set({ state: group.to, ...group.set, updatedAt: new Date() })
      .where(and(inArray(orders.id, group.ids), eq(orders.shopId, shopId)));
  }
  await addTimelineEntries(
    tx,
    changes.map((change, i) => ({
      shopId: change.locked.order.shopId,
      orderId: change.locked.order.id,
      actor: change.acting.actor,
      actorName: change.acting.name ?? null,
      action: change.action,
      fromState: change.locked.order.state,
      toState: targets[i]!,
      message: change.message ?? null,
      data: change.data ?? null,
    })),
  );
  return targets;
}
