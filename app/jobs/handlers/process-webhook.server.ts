import type { AppContext } from "~/context.server";
import { getReceipt, markReceipt } from "~/carts/webhook-receipts.server";
import { webhookHandler } from "~/carts/webhook-handlers.server";

/** Acts on one stored webhook. Safe to run twice: a processed receipt is left alone. */
export async function processWebhook(
  ctx: Pick<AppContext, "db" | "jobs" | "config" | "shopify">,
  data: { receiptId: string },
): Promise<void> {
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
