// Open orders nobody ships. The abandon-orders job runs on a schedule and moves an Open order with
// nothing shipped, whose latest purchase order went out longer ago than the shop's setting, to
// Abandoned: providers stop being asked about it (polling reads Open orders only) and the owner
// gets an alert. The query below only finds candidates; the lifecycle table, asked under each
// order's lock, decides (decision 0032).
import { and, eq, inArray, isNotNull, sql } from "drizzle-orm";
import type { AppContext } from "~/context.server";
import type { Tx } from "~/db/client.server";
import { orders, providers, shipments, shops, submissions } from "~/db/schema";
import { alertOf } from "~/orders/core/alerts";
import { decide, type OrderFacts } from "~/orders/core/lifecycle";
import { DEFAULT_SHOP_SETTINGS } from "~/orders/core/shop-settings";
import {
  lockOrders,
  orderFacts,
  transitionMany,
  type ActingAs,
  type LockedOrder,
} from "~/orders/core/transitions.server";

type Ctx = Pick<AppContext, "db">;

/** Orders looked at per round; a shop with more is finished in the following rounds of one run. */
const BATCH = 200;
/** Rounds per run, so a run always ends; whatever is left waits for the next run. */
const MAX_ROUNDS = 25;

const SYSTEM: ActingAs = { actor: "system" };

export async function abandonStaleOrders(
  ctx: Ctx,
  now = new Date(),
): Promise<{ abandoned: number }> {
  let abandoned = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const candidates = await staleOpenOrders(ctx, now);
    if (candidates.length === 0) break;
    const byShop = new Map<string, string[]>();
    for (const c of candidates) byShop.set(c.shopId, [...(byShop.get(c.shopId) ?? []), c.id]);
    let moved = 0;
    for (const [shopId, ids] of byShop) moved += await abandonInShop(ctx, shopId, ids, now);
    abandoned += moved;
    // Candidates the table refused (changed since they were read) are not found again; nothing
    // moved means nothing is left to move.
    if (candidates.length < BATCH || moved === 0) break;
  }
  return { abandoned };
}

/** Open orders with nothing shipped whose latest purchase order went out before the shop's limit. */
async function staleOpenOrders(ctx: Ctx, now: Date): Promise<{ id: string; shopId: string }[]> {
  const lastSent = sql`(select max(${submissions.submittedAt}) from ${submissions}
    where ${submissions.orderId} = ${orders.id})`;
  const limitDays = sql`coalesce((${shops.settings} ->> 'abandonAfterDays')::int, ${DEFAULT_SHOP_SETTINGS.abandonAfterDays}::int)`;
  return ctx.db
    .select({ id: orders.id, shopId: orders.shopId })
    .from(orders)
    .innerJoin(shops, eq(shops.id, orders.shopId))
    .where(
      and(
        eq(orders.state, "open"),
        sql`not exists (select 1 from ${shipments} where ${shipments.orderId} = ${orders.id})`,
        sql`${lastSent} <= ${now.toISOString()}::timestamptz - make_interval(days => ${limitDays})`,
      ),
    )
    .orderBy(orders.shopId, orders.id)
    .limit(BATCH);
}

async function abandonInShop(
  ctx: Ctx,
  shopId: string,
  orderIds: string[],
  now: Date,
): Promise<number> {
  return ctx.db.transaction(async (tx) => {
    const locked = await lockOrders(tx, shopId, orderIds);
    const going: { locked: LockedOrder; facts: OrderFacts }[] = [];
    for (const order of locked) {
      const facts = orderFacts(order, SYSTEM, now);
      if (decide("abandon", facts).allowed) going.push({ locked: order, facts });
    }
    if (going.length === 0) return 0;
    const names = await providerNames(
      tx,
      shopId,
      going.map((g) => g.locked.order.id),
    );
    await transitionMany(
      tx,
      going.map(({ locked: order, facts }) => {
        const days = facts.abandonAfterDays;
        const words = abandonWords(days ?? 0, names.get(order.order.id) ?? "the provider");
        return {
          locked: order,
          facts,
          action: "abandon" as const,
          acting: SYSTEM,
          message: words.message,
          data: { abandonAfterDays: days },
          set: { alert: words.alert },
        };
      }),
    );
    return going.length;
  });
}

/** What the timeline and the alert say of an order abandoned after `days` at `who`. */
export function abandonWords(days: number, who: string) {
  return {
    message: `Nothing shipped within ${days} days of sending it to ${who}; ${who} is no longer asked about it`,
    alert: alertOf(
      "abandoned",
      `Nothing has shipped within ${days} days of sending this order to ${who}, so Orderlane stopped asking ${who} for tracking.`,
      `Ask ${who} what became of the order, then Reprocess to send tracking checks again (or Archive it if it will never ship).`,
    ),
  };
}

/** Each order's providers, by name ("Printful and ShineOn"), for the owner-facing words. */
async function providerNames(
  tx: Tx,
  shopId: string,
  orderIds: string[],
): Promise<Map<string, string>> {
  const rows = await tx
    .selectDistinct({ orderId: submissions.orderId, name: providers.name })
    .from(submissions)
    .innerJoin(providers, eq(providers.id, submissions.providerId))
    .where(
      and(
        eq(submissions.shopId, shopId),
        inArray(submissions.orderId, orderIds),
        isNotNull(submissions.submittedAt),
      ),
    )
    .orderBy(providers.name);
  const byOrder = new Map<string, string[]>();
  for (const r of rows) byOrder.set(r.orderId, [...(byOrder.get(r.orderId) ?? []), r.name]);
  const words = new Map<string, string>();
  for (const [orderId, list] of byOrder) {
    words.set(
      orderId,
      list.length === 1 ? list[0]! : `${list.slice(0, -1).join(", ")} and ${list.at(-1)!}`,
    );
  }
  return words;
}
