import { inArray } from "drizzle-orm";
import type { AppContext } from "~/context.server";
import {
  getReceipt,
  markReceipt,
  markReceiptsProcessed,
  type WebhookReceiptRow,
} from "~/carts/webhook-receipts.server";
import type { WebhookBatchHandler } from "~/carts/webhook-handler-types";
import { webhookBatchHandler, webhookHandler } from "~/carts/webhook-handlers.server";
import { webhookReceipts } from "~/db/schema";
import type { JobOfBatch } from "../jobs.server";

type WebhookCtx = Pick<AppContext, "db" | "jobs" | "config" | "shopify">;

/** Acts on one stored webhook. Safe to run twice: a processed receipt is left alone. */
export async function processWebhook(ctx: WebhookCtx, data: { receiptId: string }): Promise<void> {
  const receipt = await getReceipt(ctx, data.receiptId);
  if (!receipt || receipt.processedAt) return;
  const handler = webhookHandler(receipt.source, receipt.topic);
  if (!handler) return;
  try {
    await handler(ctx, {
      shopDomain: receipt.shopDomain,
      topic: receipt.topic,
      payload: receipt.payload,
    });
  } catch (err) {
    await markReceipt(ctx, receipt, { error: err instanceof Error ? err.message : String(err) });
    throw err; // pg-boss retries with backoff
  }
  await markReceipt(ctx, receipt, { processed: true });
}

/**
 * A fetched batch of stored webhooks. Order deliveries of one shop are acted on together by their
 * topic's batch handler (a burst of order updates becomes one ingest: a handful of statements
 * instead of a dozen per delivery); everything else, and any group whose batch fails as a whole,
 * goes one at a time. Answers per job, in order: null or the error that fails (and retries) it.
 */
export async function processWebhookBatch(
  ctx: WebhookCtx,
  jobs: JobOfBatch<"process-webhook">[],
): Promise<(Error | null)[]> {
  const rows = await ctx.db
    .select()
    .from(webhookReceipts)
    .where(
      inArray(
        webhookReceipts.id,
        jobs.map((j) => j.data.receiptId),
      ),
    );
  const receipts = new Map(rows.map((r) => [r.id, r]));
  const results = new Map<string, Error | null>();
  const singles: string[] = [];
  // By batch handler, then by shop.
  const groups = new Map<WebhookBatchHandler, Map<string, WebhookReceiptRow[]>>();
  for (const job of jobs) {
    const receipt = receipts.get(job.data.receiptId);
    if (!receipt || receipt.processedAt) continue;
    const batch = webhookBatchHandler(receipt.source, receipt.topic);
    if (!batch) {
      singles.push(receipt.id);
      continue;
    }
    const byShop = groups.get(batch) ?? new Map<string, WebhookReceiptRow[]>();
    groups.set(batch, byShop);
    const group = byShop.get(receipt.shopDomain) ?? [];
    byShop.set(receipt.shopDomain, group);
    group.push(receipt);
  }

  const alone = async (receiptId: string) => {
    try {
      await processWebhook(ctx, { receiptId });
      results.set(receiptId, null);
    } catch (err) {
      results.set(receiptId, err instanceof Error ? err : new Error(String(err)));
    }
  };
  const work: Promise<void>[] = singles.map(alone);
  for (const [handle, byShop] of groups) {
    for (const [shopDomain, group] of byShop) {
      // In the order they arrived: a cart stamps its changes to the second, so two versions of one
      // order can carry the same time, and then the one the cart sent last is the one that stands.
      group.sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
      work.push(
        (async () => {
          let errors: (Error | null)[];
          try {
            errors = await handle(ctx, shopDomain, group);
          } catch {
            // The group as a whole failed (a deadlock, a connection lost): each on its own, so
            // one bad delivery cannot hold back the others.
            for (const receipt of group) await alone(receipt.id);
            return;
          }
          const done = group.filter((_, i) => !errors[i]);
          await markReceiptsProcessed(ctx, done);
          for (const [i, receipt] of group.entries()) {
            const error = errors[i] ?? null;
            results.set(receipt.id, error);
            if (error) await markReceipt(ctx, receipt, { error: error.message });
          }
        })(),
      );
    }
  }
  await Promise.all(work);
  return jobs.map((job) => results.get(job.data.receiptId) ?? null);
}
