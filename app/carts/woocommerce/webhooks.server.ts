// What the worker does with a stored WooCommerce order webhook (the route, delivery.server.ts, has
// already checked its signature and shape).
import type { IngestCtx } from "~/orders/ingest.server";
import { removeCartOrder } from "~/orders/cart-changes.server";
import { ingestCartOrders } from "~/orders/ingest.server";
import { findShop } from "~/shops/shops.server";
import type { StoredWebhook, WebhookBatchHandler } from "../webhook-handler-types";
import { readWooOrder } from "./normalize";
import { shopSettings } from "~/orders/core/shop-settings";

/** The topics the app subscribes each store to (connect.server.ts creates them). */

/** order.deleted carries only `{ id }`. */
export function deletedId(payload: unknown): string | null {
  const id = (payload as { id?: unknown } | null)?.id;
  if (typeof id === "number" && Number.isInteger(id) && id > 0) return String(id);
  if (typeof id === "string" && /^\d+$/.test(id)) return id;
  return null;
}

type Handler = (ctx: IngestCtx, webhook: StoredWebhook) => Promise<void>;

/**
 * created / updated / restored carry the whole order: store what it says now. Deliveries for one
 * store fetched together are stored together; the answer is per delivery.
 */
const upsertOrders: WebhookBatchHandler = async (ctx, shopDomain, webhooks) => {
  const shop = await findShop(ctx.db, "woocommerce", shopDomain);
  if (!shop || shop.uninstalledAt) return webhooks.map(() => null); // disconnected since
  const keys = shopSettings(shop).personalizationKeys;
  const reads = webhooks.map((w) => readWooOrder(w.payload, keys));
  for (const read of reads) {
    if (read.kind === "trashed") await removeCartOrder(ctx, shop, read.cartOrderId);
  }
  const fresh = reads.flatMap((read) => (read.kind === "order" ? [read.order] : []));
  if (fresh.length > 0) await ingestCartOrders(ctx, shop, fresh, { source: "webhook" });
  // A draft is nobody's order yet: nothing to do, and nothing wrong.
  return reads.map((read) => (read.kind === "invalid" ? new Error(read.message) : null));
};

const deleteOrder: Handler = async (ctx, webhook) => {
  const shop = await findShop(ctx.db, "woocommerce", webhook.shopDomain);
  if (!shop || shop.uninstalledAt) return;
  const id = deletedId(webhook.payload);
  if (!id) throw new Error("order.deleted without the order's id");
  await removeCartOrder(ctx, shop, id);
};

/** Spread into app/carts/webhook-handlers.server.ts, with the batch handlers below. */
export const wooCommerceWebhookHandlers: Record<string, Handler> = {
  "woocommerce:order.deleted": deleteOrder,
};

export const wooCommerceWebhookBatchHandlers: Record<string, WebhookBatchHandler> = {
  "woocommerce:order.created": upsertOrders,
  "woocommerce:order.updated": upsertOrders,
  "woocommerce:order.restored": upsertOrders,
};
