// Telling the cart that an order went to a provider (the report-sent-to-cart job): seed 000's Open
// means "sent, and the cart was updated", so the owner sees it in Shopify or WooCommerce too.
import type { AppContext } from "~/context.server";
import { connectorFor } from "~/carts/connectors.server";
import type { CartOutcome } from "~/carts/connector";
import { RetryLater } from "~/jobs/queues";
import { addTimelineEntry } from "~/orders/core/timeline.server";
import { getProvider } from "./providers.server";
import { findSubmission, loadItems } from "./purchase-orders.server";

type Ctx = Pick<AppContext, "db" | "shopify" | "config">;

export async function reportSentToCart(
  ctx: Ctx,
  data: { shopId: string; submissionId: string },
  attempt: { lastAttempt: boolean },
): Promise<void> {
  const submission = await findSubmission(ctx.db, data.shopId, data.submissionId);
  // Cancelled or gone since: there is nothing true left to tell.
  if (!submission || submission.state !== "submitted") return;
  const [order, shop, provider, items] = await Promise.all([
    ctx.db.query.orders.findFirst({
      where: (o, { and: both, eq: is }) =>
        both(is(o.id, submission.orderId), is(o.shopId, data.shopId)),
    }),
    ctx.db.query.shops.findFirst({ where: (s, { eq: is }) => is(s.id, data.shopId) }),
    getProvider(ctx.db, data.shopId, submission.providerId),
    loadItems(ctx.db, data.shopId, submission.orderId),
  ]);
  if (!order || !shop || !provider || shop.uninstalledAt) return;

  const outcome = await connectorFor(ctx, shop)
    .reportSent({
      cartOrderId: order.cartOrderId,
      cartOrderNumber: order.cartOrderNumber,
      providerName: provider.name,
      poNumber: submission.poNumber,
      cartLineIds: items.filter((i) => i.providerId === provider.id).map((i) => i.cartLineId),
    })
    .catch((err: unknown): CartOutcome => ({
      ok: false,
      retryable: true,
      reason: err instanceof Error ? err.message : String(err),
    }));
  if (!outcome.ok && outcome.retryable && !attempt.lastAttempt) {
    throw new RetryLater(outcome.reason);
  }
  await addTimelineEntry(ctx.db, {
    shopId: order.shopId,
    orderId: order.id,
    actor: "cart",
    action: outcome.ok ? "cart_told_sent" : "cart_not_told_sent",
    message: outcome.ok
      ? `The cart now shows that ${submission.poNumber} went to ${provider.name}`
      : `The cart could not be told that ${submission.poNumber} went to ${provider.name}: ${outcome.reason}`,
    data: { submissionId: submission.id },
  });
}
