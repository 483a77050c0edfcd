// Every webhook is stored before it is answered: the receipt is the dedupe key (carts retry and
// sometimes deliver twice) and the durable record the worker acts on. Storing the receipt and
// enqueueing its job happen in one transaction, so a crash cannot keep one without the other.
import { and, eq, sql } from "drizzle-orm";
import type { AppContext } from "~/context.server";
import type { DbOrTx } from "~/db/client.server";
import { shops, webhookReceipts } from "~/db/schema";
import type { Platform } from "~/orders/model";
import { hasWebhookHandler } from "./webhook-handlers.server";

export type WebhookSource = "shopify" | "woocommerce";

export interface IncomingWebhook {
  source: WebhookSource;
  shopDomain: string;
  deliveryId: string;
  topic: string;
  payload: unknown;
}

export type WebhookReceiptRow = typeof webhookReceipts.$inferSelect;

export async function receiveWebhook(
  ctx: Pick<AppContext, "db" | "jobs">,
  webhook: IncomingWebhook,
): Promise<{ duplicate: boolean; receiptId: string | null }> {
  // The shop is looked up inside the insert: one round trip to the database instead of two, on
  // the path every cart delivery takes (and carts wait for the answer).
  const receipt = {
    shopId: sql<string | null>`(select ${shops.id} from ${shops}
      where ${shops.platform} = ${webhook.source satisfies Platform}
        and ${shops.domain} = ${webhook.shopDomain} limit 1)`,
    source: webhook.source,
    shopDomain: webhook.shopDomain,
    deliveryId: webhook.deliveryId,
    topic: webhook.topic,
    payload: webhook.payload,
  };
  const insert = (db: DbOrTx) =>
    db
      .insert(webhookReceipts)
      .values(receipt)
      .onConflictDoNothing()
      .returning({ id: webhookReceipts.id });

  // Topics without a handler yet stay stored and unprocessed, so they can be replayed later; a
  // single statement needs no transaction of its own.
  if (!hasWebhookHandler(webhook.source, webhook.topic)) {
    const [row] = await insert(ctx.db);
    return row ? { duplicate: false, receiptId: row.id } : { duplicate: true, receiptId: null };
  }
  return ctx.db.transaction(async (tx) => {
    const [row] = await insert(tx);
    if (!row) return { duplicate: true, receiptId: null };
    await ctx.jobs.send("process-webhook", { receiptId: row.id }, { tx });
    return { duplicate: false, receiptId: row.id };
  });
}

export async function getReceipt(
  ctx: Pick<AppContext, "db">,
  receiptId: string,
): Promise<WebhookReceiptRow | undefined> {
  const [row] = await ctx.db
    .select()
    .from(webhookReceipts)
    .where(eq(webhookReceipts.id, receiptId))
    .limit(1);
  return row;
}

export async function markReceipt(
  ctx: Pick<AppContext, "db">,
  receipt: Pick<WebhookReceiptRow, "id" | "shopDomain">,
  outcome: { processed: true } | { error: string },
): Promise<void> {
  await ctx.db
    .update(webhookReceipts)
    .set(
      "processed" in outcome
        ? { processedAt: new Date(), error: null }
        : { error: outcome.error.slice(0, 2000) },
    )
    .where(
      and(eq(webhookReceipts.id, receipt.id), eq(webhookReceipts.shopDomain, receipt.shopDomain)),
    );
}
