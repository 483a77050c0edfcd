// Settings → Order statuses: the owner adds, renames, reorders and retires the shop's statuses
// (decision 0046). A status some order has cannot be deleted, only retired: retired ones leave the
// dropdown but keep their word on the orders that have them. The six defaults keep what they
// write to the cart, because the order rules (Suspended, Completed, Cancelled) hang on them.
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { connectorFor } from "~/carts/connectors.server";
import type { CartOrderStatus } from "~/carts/connector";
import type { AppContext } from "~/context.server";
import { orderStatuses, orders } from "~/db/schema";
import { OWNER_EFFECTS, statusKeyFrom, type OrderStatusEffect } from "~/orders/core/order-statuses";
import { shopOrderStatuses, type OrderStatusRow } from "~/orders/order-status.server";
import type { Shop } from "./shops.server";

export const STATUS_LABEL_MAX = 40;

/** The WooCommerce statuses every store has; the store's own come on top of these. */
const WOO_CORE = new Set([
  "pending",
  "processing",
  "on-hold",
  "completed",
  "cancelled",
  "refunded",
  "failed",
  "checkout-draft",
  "trash",
]);

export type StatusSettingsOutcome = { ok: true; message: string } | { ok: false; error: string };

const labelSchema = z
  .string()
  .trim()
  .min(1, "A status needs a name")
  .max(STATUS_LABEL_MAX, `A name is at most ${STATUS_LABEL_MAX} characters`);

const effectSchema = z.enum(OWNER_EFFECTS as [OrderStatusEffect, ...OrderStatusEffect[]], {
  error: "Choose what the status writes to the cart",
});

export const statusInputSchema = z.object({
  label: labelSchema,
  cartEffect: effectSchema,
  cartStatus: z
    .string()
    .trim()
    .regex(/^[a-z0-9_-]{0,40}$/, "Choose one of the store's statuses")
    .transform((s) => s || null)
    .nullable()
    .default(null),
  pausesCountdown: z.boolean(),
});
export type StatusInput = z.input<typeof statusInputSchema>;

/** The store's own statuses a WooCommerce shop may give a status of its own; [] elsewhere. */
export async function storeOrderStatuses(
  ctx: Pick<AppContext, "shopify" | "config">,
  shop: Shop,
): Promise<{ statuses: CartOrderStatus[]; problem: string | null }> {
  if (shop.platform !== "woocommerce") return { statuses: [], problem: null };
  const answer = await connectorFor(ctx, shop).listOrderStatuses();
  if (!answer.ok) {
    return {
      statuses: [],
      problem: `The store's own statuses could not be read: ${answer.reason}`,
    };
  }
  return { statuses: answer.statuses.filter((s) => !WOO_CORE.has(s.slug)), problem: null };
}

function checked(input: StatusInput, platform: string) {
  const parsed = statusInputSchema.safeParse(input);
  if (!parsed.success) return { ok: false as const, error: parsed.error.issues[0]!.message };
  const value = parsed.data;
  if (value.cartEffect === "woo_status") {
    if (platform !== "woocommerce") {
      return { ok: false as const, error: "Only a WooCommerce store has statuses of its own" };
    }
    if (!value.cartStatus)
      return { ok: false as const, error: "Choose one of the store's statuses" };
  } else {
    value.cartStatus = null;
  }
  return { ok: true as const, value };
}

export async function addOrderStatus(
  ctx: Pick<AppContext, "db">,
  shop: Shop,
  input: StatusInput,
): Promise<StatusSettingsOutcome> {
  const valid = checked(input, shop.platform);
  if (!valid.ok) return valid;
  const rows = await shopOrderStatuses(ctx.db, shop.id);
  if (rows.some((r) => r.label.toLowerCase() === valid.value.label.toLowerCase())) {
    return { ok: false, error: `There is a status called ${valid.value.label} already` };
  }
  const base = statusKeyFrom(valid.value.label);
  let key = base;
  for (let n = 2; rows.some((r) => r.key === key); n++) key = `${base}_${n}`;
  await ctx.db
    .insert(orderStatuses)
    .values({
      shopId: shop.id,
      key,
      ...valid.value,
      position: Math.max(-1, ...rows.map((r) => r.position)) + 1,
    })
    .onConflictDoNothing();
  return { ok: true, message: `${valid.value.label} added` };
}

async function findStatus(ctx: Pick<AppContext, "db">, shopId: string, key: string) {
  const rows = await shopOrderStatuses(ctx.db, shopId);
  return { rows, row: rows.find((r) => r.key === key) ?? null };
}

const NO_SUCH: StatusSettingsOutcome = { ok: false, error: "That status no longer exists" };

/** Renames a status; a status of the owner's own may also change what it does. */
export async function updateOrderStatus(
  ctx: Pick<AppContext, "db">,
  shop: Shop,
  key: string,
  input: StatusInput,
): Promise<StatusSettingsOutcome> {
  const { rows, row } = await findStatus(ctx, shop.id, key);
  if (!row) return NO_SUCH;
  const valid = checked(
    row.builtin ? { ...input, cartEffect: "none", pausesCountdown: row.pausesCountdown } : input,
    shop.platform,
  );
  if (!valid.ok) return valid;
  const label = valid.value.label;
  if (rows.some((r) => r.key !== key && r.label.toLowerCase() === label.toLowerCase())) {
    return { ok: false, error: `There is a status called ${label} already` };
  }
  await ctx.db
    .update(orderStatuses)
    .set(
      row.builtin
        ? { label, updatedAt: new Date() }
        : {
            label,
            cartEffect: valid.value.cartEffect,
            cartStatus: valid.value.cartStatus,
            pausesCountdown: valid.value.pausesCountdown,
            updatedAt: new Date(),
          },
    )
    .where(and(eq(orderStatuses.shopId, shop.id), eq(orderStatuses.key, key)));
  return {
    ok: true,
    message: row.label === label ? `${label} saved` : `${row.label} is now ${label}`,
  };
}

/** Moves a status one place up or down the dropdown. */
export async function moveOrderStatus(
  ctx: Pick<AppContext, "db">,
  shopId: string,
  key: string,
  direction: "up" | "down",
): Promise<StatusSettingsOutcome> {
  const { rows } = await findStatus(ctx, shopId, key);
  const at = rows.findIndex((r) => r.key === key);
  if (at < 0) return NO_SUCH;
  const to = direction === "up" ? at - 1 : at + 1;
  if (to < 0 || to >= rows.length) return { ok: true, message: "Nothing to move" };
  const order = [...rows];
  [order[at], order[to]] = [order[to]!, order[at]!];
  await ctx.db.transaction(async (tx) => {
    for (const [position, r] of order.entries()) {
      if (r.position === position) continue;
      await tx
        .update(orderStatuses)
        .set({ position })
        .where(and(eq(orderStatuses.shopId, shopId), eq(orderStatuses.key, r.key)));
    }
  });
  return { ok: true, message: `${rows[at]!.label} moved ${direction}` };
}

export async function retireOrderStatus(
  ctx: Pick<AppContext, "db">,
  shopId: string,
  key: string,
  retired: boolean,
): Promise<StatusSettingsOutcome> {
  const { row, rows } = await findStatus(ctx, shopId, key);
  if (!row) return NO_SUCH;
  if (retired && rows.filter((r) => !r.retired && r.key !== key).length === 0) {
    return { ok: false, error: "Keep at least one status the owner can choose" };
  }
  await ctx.db
    .update(orderStatuses)
    .set({ retired, updatedAt: new Date() })
    .where(and(eq(orderStatuses.shopId, shopId), eq(orderStatuses.key, key)));
  return {
    ok: true,
    message: retired
      ? `${row.label} retired: it is no longer offered, and orders that have it keep it`
      : `${row.label} is offered again`,
  };
}

/** How many of the shop's orders have each status. */
export async function statusUse(
  ctx: Pick<AppContext, "db">,
  shopId: string,
): Promise<Map<string, number>> {
  const counts = await ctx.db
    .select({ key: orders.orderStatusKey, count: sql<number>`count(*)::int` })
    .from(orders)
    .where(eq(orders.shopId, shopId))
    .groupBy(orders.orderStatusKey);
  return new Map(counts.map((c) => [c.key, Number(c.count)]));
}

/** Deletes a status of the owner's own that no order has; others can only be retired. */
export async function deleteOrderStatus(
  ctx: Pick<AppContext, "db">,
  shopId: string,
  key: string,
): Promise<StatusSettingsOutcome> {
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .select()
      .from(orderStatuses)
      .where(and(eq(orderStatuses.shopId, shopId), eq(orderStatuses.key, key)))
      .for("update");
    if (!row) return NO_SUCH;
    if (row.builtin)
      return { ok: false, error: `${row.label} is one of the defaults: retire it instead` };
    const [used] = await tx
      .select({ count: sql<number>`count(*)::int` })
      .from(orders)
      .where(and(eq(orders.shopId, shopId), eq(orders.orderStatusKey, key)));
    const count = Number(used?.count ?? 0);
    if (count > 0) {
      return {
        ok: false,
        error: `${row.label} is on ${count} order${count === 1 ? "" : "s"}, so it can only be retired`,
      };
    }
    await tx
      .delete(orderStatuses)
      .where(and(eq(orderStatuses.shopId, shopId), eq(orderStatuses.key, key)));
    return { ok: true, message: `${row.label} deleted` };
  });
}

export type { OrderStatusRow };
