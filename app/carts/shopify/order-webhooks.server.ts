// Shopify's order webhooks, in two halves: the route checks a delivery is an order before storing
// it (`checkOrderWebhook`), and the worker turns the stored delivery into our order (`handlers`).
import { and, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import type { AppContext } from "~/context.server";
import { shops, webhookReceipts } from "~/db/schema";
import { ingestCartOrders } from "~/orders/ingest.server";
import { knownCartOrderIds } from "~/orders/core/transitions.server";
import { CartReadError } from "../connector";
import type { StoredWebhook, WebhookBatchHandler } from "../webhook-handler-types";
import { createShopifyConnector, orderOfFulfillmentOrder } from "./connector.server";
import { describeIssues, normalizeWebhookOrder, parseWebhookOrder } from "./normalize";
import { shopSettings } from "~/orders/core/shop-settings";
import type { Shop } from "~/shops/shops.server";

export type OrderWebhookCtx = Pick<AppContext, "db" | "jobs" | "config" | "shopify">;
type Handler = (ctx: OrderWebhookCtx, webhook: StoredWebhook) => Promise<void>;

export const ORDER_TOPICS = ["orders/create", "orders/updated", "orders/cancelled"] as const;
export const HOLD_TOPICS = [
  "fulfillment_orders/placed_on_hold",
  "fulfillment_orders/hold_released",
] as const;

const holdPayload = z.object({
  fulfillment_order: z.object({ id: z.union([z.string().min(1), z.number()]).transform(String) }),
});

/** Why a delivery on an order topic cannot be an order (null when it can). */
export function checkOrderWebhook(topic: string, payload: unknown): string | null {
  if ((ORDER_TOPICS as readonly string[]).includes(topic)) {
    const parsed = parseWebhookOrder(payload);
    return parsed.ok ? null : parsed.reason;
  }
  if ((HOLD_TOPICS as readonly string[]).includes(topic)) {
    const parsed = holdPayload.safeParse(payload);
    return parsed.success ? null : `Not a fulfillment order: ${describeIssues(parsed.error)}`;
  }
  return null;
}

/**
 * Keeps the delivery Shopify sent but we refused, so the owner (and support) can see it arrived
 * and why it changed nothing. Its payload is not kept: it may be anything.
 */
export async function recordRejectedDelivery(
  ctx: Pick<AppContext, "db">,
  delivery: { shopDomain: string; deliveryId: string; topic: string; reason: string },
): Promise<void> {
  const [shop] = await ctx.db
    .select({ id: shops.id })
    .from(shops)
    .where(and(eq(shops.platform, "shopify"), eq(shops.domain, delivery.shopDomain)))
    .limit(1);
  await ctx.db
    .insert(webhookReceipts)
    .values({
      shopId: shop?.id ?? null,
      source: "shopify",
      shopDomain: delivery.shopDomain,
      deliveryId: delivery.deliveryId,
      topic: delivery.topic,
      payload: null,
      error: `Rejected: ${delivery.reason}`.slice(0, 2000),
    })
    .onConflictDoNothing();
}

/** The installed shop a delivery is for; none for an unknown or uninstalled shop. */
async function installedShop(ctx: OrderWebhookCtx, domain: string): Promise<Shop | null> {
  const [shop] = await ctx.db
    .select()
    .from(shops)
    .where(
      and(eq(shops.platform, "shopify"), eq(shops.domain, domain), isNull(shops.uninstalledAt)),
    )
    .limit(1);
  return shop ?? null;
}

/**
 * orders/create, orders/updated, orders/cancelled: the payload is the whole order. Deliveries for
 * one shop that the worker fetched together are stored together (one ingest, one transaction);
 * the answer says, per delivery, null or why it could not be used.
 */
const ordersChanged: WebhookBatchHandler = async (ctx, shopDomain, webhooks) => {
  const shop = await installedShop(ctx, shopDomain);
  if (!shop) return webhooks.map(() => null); // unknown or uninstalled: nothing is written
  // The route refused malformed deliveries; one stored before that check fails on its own.
  const parsed = webhooks.map((w) => parseWebhookOrder(w.payload));
  const valid = parsed.flatMap((p, i) =>
    p.ok ? [{ order: p.value, payload: webhooks[i]!.payload }] : [],
  );
  if (valid.length > 0) {
    // The order payload does not say whether a fulfillment order is held; the hold topics do. So
    // a hold we learnt of stays until Shopify tells us it was released.
    const onHold = await knownCartOrderIds(
      ctx.db,
      shop.id,
      valid.map((v) => v.order.id),
      { cartStatus: "on_hold" },
    );
    const keys = shopSettings(shop).personalizationKeys;
    await ingestCartOrders(
      ctx,
      shop,
      valid.map((v) =>
        normalizeWebhookOrder(v.order, keys, v.payload, { onHold: onHold.has(v.order.id) }),
      ),
      { source: "webhook" },
    );
  }
  return parsed.map((p) => (p.ok ? null : new Error(p.reason)));
};

/** A hold placed or released in the Shopify admin: read the order as Shopify has it now. */
const holdChanged: Handler = async (ctx, webhook) => {
  const shop = await installedShop(ctx, webhook.shopDomain);
  if (!shop) return;
  const { fulfillment_order } = holdPayload.parse(webhook.payload);
  // Failures throw: the job retries with backoff, and the receipt keeps the last error.
  const cartOrderId = await orderOfFulfillmentOrder(ctx, shop.domain, fulfillment_order.id);
  if (!cartOrderId) return; // Shopify no longer has it
  const fetched = await createShopifyConnector(ctx, shop).fetchOrder(cartOrderId);
  if (!fetched.ok) throw new CartReadError(`Shopify: ${fetched.reason}`, fetched.retryable);
  if (fetched.order) await ingestCartOrders(ctx, shop, [fetched.order], { source: "webhook" });
};

/** Spread into app/carts/webhook-handlers.server.ts, with the batch handlers below. */
export const shopifyOrderWebhookHandlers: Record<string, Handler> = {
  "shopify:fulfillment_orders/placed_on_hold": holdChanged,
  "shopify:fulfillment_orders/hold_released": holdChanged,
};

export const shopifyOrderWebhookBatchHandlers: Record<string, WebhookBatchHandler> = {
  "shopify:orders/create": ordersChanged,
  "shopify:orders/updated": ordersChanged,
  "shopify:orders/cancelled": ordersChanged,
};
