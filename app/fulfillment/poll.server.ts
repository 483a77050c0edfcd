// Asking providers what happened, for those that do not post back reliably (or at all). The
// poll-provider job runs on a schedule; what a poll finds goes through the same receipts as posted
// events, so a parcel reported both ways is stored once.
import { and, asc, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { AppContext } from "~/context.server";
import { orders, providers, submissions } from "~/db/schema";
import { storeProviderEvent } from "./provider-events.server";
import { providerAdapter } from "./providers.server";

type Ctx = Pick<AppContext, "db" | "jobs" | "config">;

/** How often one purchase order is asked about at most. */
export const POLL_EVERY_MINUTES = 30;
const BATCH = 200;

export async function pollProviders(
  ctx: Ctx,
  now = new Date(),
): Promise<{ polled: number; events: number }> {
  const due = await ctx.db
    .select({ submission: submissions, provider: providers })
    .from(submissions)
    .innerJoin(providers, eq(providers.id, submissions.providerId))
    .innerJoin(orders, eq(orders.id, submissions.orderId))
    .where(
      and(
        eq(submissions.state, "submitted"),
        eq(orders.state, "open"),
        eq(providers.enabled, true),
        or(
          isNull(submissions.polledAt),
          lt(
            submissions.polledAt,
            sql`${now.toISOString()}::timestamptz - make_interval(mins => ${POLL_EVERY_MINUTES})`,
          ),
        ),
      ),
    )
    .orderBy(asc(sql`coalesce(${submissions.polledAt}, 'epoch'::timestamptz)`))
    .limit(BATCH);

  let events = 0;
  for (const { submission, provider } of due) {
    const adapter = providerAdapter(ctx, provider);
    await ctx.db
      .update(submissions)
      .set({ polledAt: now })
      .where(eq(submissions.id, submission.id));
    if (!adapter.poll || !submission.providerOrderId) continue;
    let found;
    try {
      found = await adapter.poll(
        { poNumber: submission.poNumber, providerOrderId: submission.providerOrderId },
        { signal: AbortSignal.timeout(30_000) },
      );
    } catch (err) {
      // One provider being down must not stop the others being asked; the next run tries again.
      console.warn(`[poll] ${provider.name} ${submission.poNumber}: ${(err as Error).message}`);
      continue;
    }
    for (const event of found) {
      const outcome = await ctx.db.transaction((tx) =>
        storeProviderEvent(ctx, tx, provider, event),
      );
      if (outcome === "queued") events++;
    }
  }
  return { polled: due.length, events };
}
