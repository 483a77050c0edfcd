// Every demo shop shows a status of the owner's own that pauses the countdown (issue 13): the
// status "Awaiting artwork", given to one order on the first seed as an owner would give it.
import { and, desc, eq, isNotNull } from "drizzle-orm";
import type { DbOrTx } from "~/db/client.server";
import { orderStatuses, orders } from "~/db/schema";
import { chooseOrderStatus, shopOrderStatuses } from "~/orders/order-status.server";
import type { CartChangeCtx } from "~/orders/cart-changes.server";
import type { Shop } from "~/shops/shops.server";
import { DEMO_OWNER_NAME } from "./constants";

export const DEMO_PAUSING_STATUS = { key: "awaiting_artwork", label: "Awaiting artwork" } as const;

/** Adds the status (writing nothing to the cart, pausing the countdown) unless the shop has it. */
export async function ensureDemoPausingStatus(db: DbOrTx, shopId: string): Promise<void> {
  const rows = await shopOrderStatuses(db, shopId);
  if (rows.some((r) => r.key === DEMO_PAUSING_STATUS.key)) return;
  await db
    .insert(orderStatuses)
    .values({
      shopId,
      ...DEMO_PAUSING_STATUS,
      position: Math.max(...rows.map((r) => r.position)) + 1,
      cartEffect: "none",
      pausesCountdown: true,
    })
    .onConflictDoNothing();
}

/**
 * On a cart shop's first seed: the status, and the newest order still counting down set to it
 * through the same path the order page takes, so its countdown pauses and its timeline says so.
 */
export async function seedDemoPausingStatus(ctx: CartChangeCtx, shop: Shop): Promise<void> {
  await ensureDemoPausingStatus(ctx.db, shop.id);
  const [counting] = await ctx.db
    .select({ id: orders.id })
    .from(orders)
    .where(and(eq(orders.shopId, shop.id), eq(orders.state, "new"), isNotNull(orders.autoSubmitAt)))
    .orderBy(desc(orders.cartCreatedAt))
    .limit(1);
  if (!counting) return;
  await chooseOrderStatus(ctx, shop.id, counting.id, DEMO_PAUSING_STATUS.key, {
    actor: "owner",
    name: DEMO_OWNER_NAME,
  });
}
