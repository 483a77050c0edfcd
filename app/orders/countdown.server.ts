// The review window: an in-app order in automatic mode, paid (cart status Processing), counts down
// to its automatic submission. The deadline lives on the order (`auto_submit_at`); a scheduled
// auto-submit job carries the deadline it was made for, so a job made stale by a hold, a release or
// a new deadline finds the order's deadline changed and does nothing. The job's firing is
// fulfillment's work: `fulfillment/auto-submit.server.ts`.
import { and, eq, isNotNull } from "drizzle-orm";
import type { AppContext } from "~/context.server";
import type { Tx } from "~/db/client.server";
import { orders } from "~/db/schema";
import type { Jobs } from "~/jobs/jobs.server";
import { transition, type ActingAs, type OrderRow } from "~/orders/core/transitions.server";
import { shopSettings } from "~/orders/core/shop-settings";
import type { Shop } from "~/shops/shops.server";
import { onLockedOrder, succeeded, type ActionOutcome } from "./outcome.server";

type Ctx = Pick<AppContext, "db" | "jobs" | "config">;

/** Why an order is not counting down, in the owner's words; null when it is. */
export function countdownBlocker(
  order: Pick<OrderRow, "type" | "state" | "cartStatus">,
  shop: Shop,
): string | null {
  if (order.type !== "in_app") return "Only in-app orders are submitted automatically";
  if (shopSettings(shop).processingMode !== "automatic") {
    return "The shop processes orders manually (Settings)";
  }
  if (order.state !== "new") return null;
  if (order.cartStatus !== "processing") {
    return "The cart has not marked the order Processing (paid) yet";
  }
  return null;
}

export async function scheduleAutoSubmit(
  jobs: Jobs,
  tx: Tx | undefined,
  order: Pick<OrderRow, "id" | "shopId">,
  dueAt: Date,
): Promise<void> {
  const { data, startAfter, singletonKey } = autoSubmitJob(order, dueAt);
  await jobs.send("auto-submit", data, { startAfter, singletonKey, tx });
}

/** One job per order and deadline: the singleton key makes scheduling the same one again a no-op. */
function autoSubmitJob(order: Pick<OrderRow, "id" | "shopId">, dueAt: Date) {
  return {
    data: { shopId: order.shopId, orderId: order.id, dueAt: dueAt.toISOString() },
    startAfter: dueAt,
    singletonKey: `${order.id}@${dueAt.toISOString()}`,
  };
}

/** Starts the countdown of a newly imported order, when one applies. */
export async function startCountdown(
  ctx: Pick<AppContext, "jobs">,
  tx: Tx,
  order: OrderRow,
  shop: Shop,
  now = new Date(),
): Promise<Date | null> {
  if (order.state !== "new" || countdownBlocker(order, shop)) return null;
  const dueAt = new Date(now.getTime() + shopSettings(shop).autoSubmitDelayMinutes * 60_000);
  return setDeadline(ctx, tx, order, dueAt);
}

/** The order's countdown now ends at `dueAt`, with its job queued in the same transaction. */
async function setDeadline(
  ctx: Pick<AppContext, "jobs">,
  tx: Tx,
  order: Pick<OrderRow, "id" | "shopId">,
  dueAt: Date,
): Promise<Date> {
  await tx
    .update(orders)
    .set({ autoSubmitAt: dueAt, autoSubmitRemainingMs: null })
    .where(and(eq(orders.id, order.id), eq(orders.shopId, order.shopId)));
  await scheduleAutoSubmit(ctx.jobs, tx, order, dueAt);
  return dueAt;
}

/**
 * Back to New after processing stopped (Reprocess of an order never sent): it counts down from
 * the time that was left when it stopped, or afresh when none was kept, if a countdown applies.
 */
export async function restartCountdown(
  ctx: Pick<AppContext, "jobs">,
  tx: Tx,
  order: OrderRow,
  shop: Shop,
  now = new Date(),
): Promise<Date | null> {
  const remaining = order.autoSubmitRemainingMs;
  if (remaining === null || order.state !== "new" || countdownBlocker(order, shop)) {
    if (remaining !== null) {
      await tx
        .update(orders)
        .set({ autoSubmitRemainingMs: null })
        .where(and(eq(orders.id, order.id), eq(orders.shopId, order.shopId)));
    }
    return startCountdown(ctx, tx, { ...order, autoSubmitRemainingMs: null }, shop, now);
  }
  return setDeadline(ctx, tx, order, new Date(now.getTime() + remaining));
}

/**
 * When a new order's countdown ends, if it starts one at all: what startCountdown would set. Import
 * writes it with the order's row instead of updating each row after the insert.
 */
export function countdownDueAt(
  order: Pick<OrderRow, "state" | "type" | "cartStatus">,
  shop: Shop,
  now = new Date(),
): Date | null {
  if (order.state !== "new" || countdownBlocker(order, shop)) return null;
  return new Date(now.getTime() + shopSettings(shop).autoSubmitDelayMinutes * 60_000);
}

/** scheduleAutoSubmit for many orders (an Import page), as one job insert in the caller's transaction. */
export async function scheduleAutoSubmits(
  jobs: Jobs,
  tx: Tx,
  due: { order: Pick<OrderRow, "id" | "shopId">; dueAt: Date }[],
): Promise<void> {
  await jobs.sendMany(
    "auto-submit",
    due.map(({ order, dueAt }) => autoSubmitJob(order, dueAt)),
    { tx },
  );
}

/**
 * Puts every running countdown back on the queue (idempotent: one job per order and deadline).
 * Run when a worker starts, so deadlines set while no worker ran, or whose job was lost, still fire.
 */
export async function rescheduleCountdowns(ctx: Ctx): Promise<number> {
  const running = await ctx.db
    .select({ id: orders.id, shopId: orders.shopId, autoSubmitAt: orders.autoSubmitAt })
    .from(orders)
    .where(and(eq(orders.state, "new"), isNotNull(orders.autoSubmitAt)));
  // The queue does not refuse a second job with the same key, so only countdowns with no job
  // waiting are queued: otherwise every worker start would double every pending deadline.
  const queued = await ctx.jobs.find("auto-submit", { queued: true });
  const waiting = new Set(queued.map((job) => `${job.data.orderId}@${job.data.dueAt}`));
  const missing = running.filter(
    (order) => !waiting.has(`${order.id}@${order.autoSubmitAt!.toISOString()}`),
  );
  // A thousand per statement: a worker starting while thousands of orders count down is ready in
  // moments instead of spending its first minute re-queueing them one by one.
  for (let start = 0; start < missing.length; start += 1000) {
    await ctx.jobs.sendMany(
      "auto-submit",
      missing.slice(start, start + 1000).map((order) => autoSubmitJob(order, order.autoSubmitAt!)),
    );
  }
  return running.length;
}

/** On hold: the countdown stops and remembers the time it had left. */
export async function holdOrder(
  ctx: Ctx,
  shopId: string,
  orderId: string,
  acting: ActingAs,
  now = new Date(),
): Promise<ActionOutcome> {
  return onLockedOrder(ctx, shopId, orderId, "hold", acting, async (tx, locked, facts) => {
    const { order } = locked;
    const remaining = order.autoSubmitAt
      ? Math.max(0, order.autoSubmitAt.getTime() - now.getTime())
      : null;
    await transition(tx, locked, {
      action: "hold",
      acting,
      facts,
      message:
        remaining !== null ? `Countdown paused with ${formatRemaining(remaining)} left` : undefined,
      set: { autoSubmitAt: null, autoSubmitRemainingMs: remaining },
    });
    return succeeded(orderId, "On hold: the countdown is paused");
  });
}

/** Release: back to New, counting down from the time that was left. */
export async function releaseOrder(
  ctx: Ctx,
  shopId: string,
  orderId: string,
  acting: ActingAs,
  now = new Date(),
): Promise<ActionOutcome> {
  return onLockedOrder(ctx, shopId, orderId, "release", acting, async (tx, locked, facts) => {
    const { order, shop } = locked;
    const resumed = { ...order, state: "new" as const };
    const dueAt =
      order.autoSubmitRemainingMs !== null && !countdownBlocker(resumed, shop)
        ? new Date(now.getTime() + order.autoSubmitRemainingMs)
        : null;
    await transition(tx, locked, {
      action: "release",
      acting,
      facts,
      message: dueAt
        ? `Countdown resumed with ${formatRemaining(order.autoSubmitRemainingMs!)} left`
        : undefined,
      set: { autoSubmitAt: dueAt, autoSubmitRemainingMs: null },
    });
    if (dueAt) await scheduleAutoSubmit(ctx.jobs, tx, order, dueAt);
    return succeeded(
      orderId,
      dueAt ? "Released from hold: the countdown runs again" : "Released from hold",
    );
  });
}

export function formatRemaining(ms: number): string {
  const totalSeconds = Math.round(ms / 1000);
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  return minutes > 0 ? `${minutes} min ${seconds} s` : `${seconds} s`;
}
