// The reconciliation sweep: carts do not promise delivery (Shopify drops a webhook it could not
// deliver after its retries, WooCommerce disables one that keeps failing), so every connected
// shop's cart is asked now and then for the orders it changed since the last sweep, and whatever
// no webhook brought goes through the same ingest as a webhook would. Decision 0036.
import { and, eq, inArray, isNotNull, sql } from "drizzle-orm";
import type { AppContext } from "~/context.server";
import { queryRows } from "~/db/client.server";
import { cartReconciliations, orders, shops } from "~/db/schema";
import { ingestCartOrders } from "~/orders/ingest.server";
import { DEFAULT_SHOP_SETTINGS } from "~/orders/core/shop-settings";
import type { Shop } from "~/shops/shops.server";
import type { NormalizedOrder, UpdatedWindow } from "./connector";
import { connectorFor } from "./connectors.server";

type Ctx = Pick<AppContext, "db" | "jobs" | "config" | "shopify">;

/** A cart's clock and ours may disagree by this much; each sweep reads this far back again. */
export const OVERLAP_MS = 5 * 60_000;
/** A change this recent may still have its webhook on the way: the next sweep reads it. */
export const SETTLE_MS = 60_000;
/** The first sweep of a shop looks back this far. */
export const FIRST_LOOKBACK_MS = 24 * 3_600_000;
/** A sweep renews its hold this often; a hold not renewed for LEASE_SECONDS was a dead worker's. */
const HEARTBEAT_MS = 30_000;
const LEASE_SECONDS = 300;

export type SweepResult =
  | { outcome: "finished"; recovered: number; read: number }
  /** Not connected (any more), or not a cart that can be asked. */
  | { outcome: "skipped" }
  /** Another sweep of this shop is running. */
  | { outcome: "busy" }
  /** The cart failed part-way: the next sweep carries on from the page it reached. */
  | { outcome: "stopped"; reason: string };

/** The scheduled tick: a sweep job for every connected shop whose interval has passed. */
export async function queueDueSweeps(ctx: Pick<AppContext, "db" | "jobs">): Promise<number> {
  const everyDefault = DEFAULT_SHOP_SETTINGS.reconcileEveryMinutes;
  const due = await queryRows<{ id: string }>(
    ctx.db,
    sql`select s.id from ${shops} s
        left join ${cartReconciliations} r on r.shop_id = s.id
        where s.uninstalled_at is null and s.platform in ('shopify', 'woocommerce')
          and (r.running_since is null
            or r.running_since < now() - make_interval(secs => ${LEASE_SECONDS}))
          and (r.last_started_at is null or r.last_started_at <= now() - make_interval(mins =>
            case when s.settings->>'reconcileEveryMinutes' ~ '^[0-9]{1,5}$'
              then (s.settings->>'reconcileEveryMinutes')::int else ${everyDefault} end))`,
  );
  if (due.length === 0) return 0;
  // One queued sweep per shop at most: a tick that comes round while one waits adds nothing.
  await ctx.jobs.sendMany(
    "reconcile-shop",
    due.map((row) => ({ data: { shopId: row.id }, singletonKey: `reconcile:${row.id}` })),
  );
  return due.length;
}

type ReconciliationRow = typeof cartReconciliations.$inferSelect;

/** Takes the shop's sweep for this worker, unless a live one holds it. */
async function claimSweep(ctx: Ctx, shopId: string): Promise<ReconciliationRow | null> {
  await ctx.db.insert(cartReconciliations).values({ shopId }).onConflictDoNothing();
  const [row] = await ctx.db
    .update(cartReconciliations)
    .set({ runningSince: new Date(), lastStartedAt: new Date(), updatedAt: new Date() })
    .where(
      and(
        eq(cartReconciliations.shopId, shopId),
        sql`(${cartReconciliations.runningSince} is null
          or ${cartReconciliations.runningSince} < now() - make_interval(secs => ${LEASE_SECONDS}))`,
      ),
    )
    .returning();
  return row ?? null;
}

/** While this sweep holds the shop; the conditions keep a late write from a lost hold out. */
const held = (shopId: string) =>
  and(eq(cartReconciliations.shopId, shopId), isNotNull(cartReconciliations.runningSince));

/**
 * The orders of a page that we do not have at this version: new to us, or newer than what we
 * stored. An older version than ours is what a late webhook already superseded: left alone.
 */
async function missedByWebhooks(
  ctx: Ctx,
  shopId: string,
  page: NormalizedOrder[],
): Promise<NormalizedOrder[]> {
  if (page.length === 0) return [];
  const stored = await ctx.db
    .select({ cartOrderId: orders.cartOrderId, cartUpdatedAt: orders.cartUpdatedAt })
    .from(orders)
    .where(
      and(
        eq(orders.shopId, shopId),
        inArray(
          orders.cartOrderId,
          page.map((o) => o.cartOrderId),
        ),
      ),
    );
  const known = new Map(stored.map((o) => [o.cartOrderId, o.cartUpdatedAt.getTime()]));
  return page.filter((o) => {
    const at = known.get(o.cartOrderId);
    return at === undefined || at < o.cartUpdatedAt.getTime();
  });
}

function reasonOf(err: unknown): string {
  return err instanceof Error && err.message ? err.message.slice(0, 500) : "an unexpected error";
}

/** Sweeps one shop: reads the cart's changes since the watermark and ingests what was missed. */
export async function reconcileShop(ctx: Ctx, data: { shopId: string }): Promise<SweepResult> {
  const [shop] = await ctx.db.select().from(shops).where(eq(shops.id, data.shopId)).limit(1);
  if (!shop || shop.uninstalledAt || shop.platform === "demo") return { outcome: "skipped" };
  const claimed = await claimSweep(ctx, shop.id);
  if (!claimed) return { outcome: "busy" };

  const heartbeat = setInterval(() => {
    ctx.db
      .update(cartReconciliations)
      .set({ runningSince: new Date() })
      .where(held(shop.id))
      .catch((err: unknown) => console.error(`[reconcile] heartbeat ${shop.id}: ${reasonOf(err)}`));
  }, HEARTBEAT_MS);
  heartbeat.unref();
  try {
    return await sweep(ctx, shop, claimed);
  } finally {
    clearInterval(heartbeat);
  }
}

async function sweep(ctx: Ctx, shop: Shop, claimed: ReconciliationRow): Promise<SweepResult> {
  const resuming = Boolean(claimed.windowSince && claimed.windowUntil);
  const now = Date.now();
  const window: UpdatedWindow = resuming
    ? { since: claimed.windowSince!, until: claimed.windowUntil! }
    : {
        since: new Date((claimed.watermark?.getTime() ?? now - FIRST_LOOKBACK_MS) - OVERLAP_MS),
        until: new Date(now - SETTLE_MS),
      };
  let cursor = resuming ? claimed.resumeCursor : null;
  let recovered = resuming ? claimed.recoveredSoFar : 0;
  let read = 0;
  if (!resuming) {
    await ctx.db
      .update(cartReconciliations)
      .set({
        windowSince: window.since,
        windowUntil: window.until,
        resumeCursor: null,
        recoveredSoFar: 0,
      })
      .where(held(shop.id));
  }

  const connector = connectorFor(ctx, shop);
  try {
    for await (const page of connector.readUpdatedOrders(window, cursor)) {
      if (await uninstalled(ctx, shop.id)) {
        await release(ctx, shop.id, { lastError: null });
        return { outcome: "skipped" };
      }
      read += page.orders.length;
      const missed = await missedByWebhooks(ctx, shop.id, page.orders);
      if (missed.length > 0) {
        const outcomes = await ingestCartOrders(ctx, shop, missed, { source: "reconciliation" });
        recovered += outcomes.filter(
          (o) => o.outcome === "created" || o.outcome === "updated",
        ).length;
      }
      cursor = page.resumeCursor;
      await ctx.db
        .update(cartReconciliations)
        .set({ resumeCursor: cursor, recoveredSoFar: recovered, runningSince: new Date() })
        .where(held(shop.id));
      if (cursor === null) break;
    }
  } catch (err) {
    const reason = reasonOf(err);
    console.error(`[reconcile] shop ${shop.id} stopped: ${reason}`);
    await release(ctx, shop.id, {
      lastError: `Stopped part-way; the next sweep carries on: ${reason}`,
    });
    return { outcome: "stopped", reason };
  }

  const webhookNotice = await checkSubscriptions(ctx, shop, recovered);
  await ctx.db
    .update(cartReconciliations)
    .set({
      watermark: window.until,
      windowSince: null,
      windowUntil: null,
      resumeCursor: null,
      recoveredSoFar: 0,
      runningSince: null,
      lastFinishedAt: new Date(),
      lastRecovered: recovered,
      totalRecovered: sql`${cartReconciliations.totalRecovered} + ${recovered}`,
      lastError: null,
      webhookNotice,
      updatedAt: new Date(),
    })
    .where(held(shop.id));
  return { outcome: "finished", recovered, read };
}

/** What the owner should know about the shop's webhooks after this sweep, or null. */
async function checkSubscriptions(ctx: Ctx, shop: Shop, recovered: number): Promise<string | null> {
  const check = await connectorFor(ctx, shop)
    .checkWebhooks()
    .catch((err: unknown) => ({ ok: false as const, retryable: true, reason: reasonOf(err) }));
  if (!check.ok) return `Orderlane could not check the store's webhooks: ${check.reason}`;
  if (check.repaired.length > 0) {
    return `Orderlane put back the store's webhooks for ${check.repaired.join(", ")}.`;
  }
  if (!check.visible && recovered > 0) {
    // Shopify does not show an app the subscriptions declared for it, so the evidence is what the
    // sweep had to recover; recreating them per shop would deliver every event twice.
    return `${recovered} order ${recovered === 1 ? "change" : "changes"} reached Orderlane only through reconciliation: the cart did not deliver ${recovered === 1 ? "its webhook" : "their webhooks"}. If this keeps happening, the app's webhook subscriptions may be missing: ask whoever deploys Orderlane to deploy its configuration again.`;
  }
  return null;
}

async function uninstalled(ctx: Ctx, shopId: string): Promise<boolean> {
  const [row] = await ctx.db
    .select({ uninstalledAt: shops.uninstalledAt })
    .from(shops)
    .where(eq(shops.id, shopId));
  return !row || row.uninstalledAt !== null;
}

async function release(ctx: Ctx, shopId: string, set: { lastError: string | null }) {
  await ctx.db
    .update(cartReconciliations)
    .set({ runningSince: null, lastError: set.lastError, updatedAt: new Date() })
    .where(held(shopId));
}

/** What Settings shows of the shop's sweeps. */
export async function reconciliationStatus(
  ctx: Pick<AppContext, "db">,
  shopId: string,
): Promise<ReconciliationRow | null> {
  const [row] = await ctx.db
    .select()
    .from(cartReconciliations)
    .where(eq(cartReconciliations.shopId, shopId));
  return row ?? null;
}
