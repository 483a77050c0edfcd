// Every webhook is stored before it is answered: the receipt is the dedupe key (carts retry and
// sometimes deliver twice) and the durable record the worker acts on. Storing the receipt and
// enqueueing its job happen in one transaction, so a crash cannot keep one without the other.
import { and, eq } from "drizzle-orm";
import type { AppContext } from "~/context.server";
import { webhookReceipts } from "~/db/schema";
import type { Platform } from "~/orders/model";
import { findShop } from "~/shops/shops.server";
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
  return ctx.db.transaction(async (tx) => {
    const shop = await findShop(tx, webhook.source satisfies Platform, webhook.shopDomain);
    const [row] = await tx
      .insert(webhookReceipts)
      .values({
        shopId: shop?.id ?? null,
        source: webhook.source,
        shopDomain: webhook.shopDomain,
        deliveryId: webhook.deliveryId,
        topic: webhook.topic,
        payload: webhook.payload,
      })
      .onConflictDoNothing()
      .returning({ id: webhookReceipts.id });
    if (!row) return { duplicate: true, receiptId: null };
    // Topics without a handler yet stay stored and unprocessed, so they can be replayed later.
    if (hasWebhookHandler(webhook.source, webhook.topic)) {
      await ctx.jobs.send("process-webhook", { receiptId: row.id }, { tx });
    }
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
