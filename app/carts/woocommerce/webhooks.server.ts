// What the worker does with a stored WooCommerce order webhook (the route, delivery.server.ts, has
// already checked its signature and shape).
import type { IngestCtx } from "~/orders/ingest.server";
import { ingestCartOrders, removeCartOrder } from "~/orders/ingest.server";
import { shopSettings } from "~/orders/orders.server";
import { findShop } from "~/shops/shops.server";
import type { StoredWebhook } from "../webhook-handlers.server";
import { readWooOrder } from "./normalize";

/** The topics the app subscribes each store to (connect.server.ts creates them). */
export const WOO_TOPICS = [
  "order.created",
  "order.updated",
  "order.deleted",
  "order.restored",
] as const;
export type WooTopic = (typeof WOO_TOPICS)[number];

export const isWooTopic = (t: string): t is WooTopic =>
  (WOO_TOPICS as readonly string[]).includes(t);

/** order.deleted carries only `{ id }`. */
export function deletedId(payload: unknown): string | null {
  const id = (payload as { id?: unknown } | null)?.id;
  if (typeof id === "number" && Number.isInteger(id) && id > 0) return String(id);
  if (typeof id === "string" && /^\d+$/.test(id)) return id;
  return null;
}

type Handler = (ctx: IngestCtx, webhook: StoredWebhook) => Promise<void>;

/** created / updated / restored carry the whole order: store what it says now. */
const upsertOrder: Handler = async (ctx, webhook) => {
  const shop = await findShop(ctx.db, "woocommerce", webhook.shopDomain);
  if (!shop || shop.uninstalledAt) return; // disconnected since: nothing to write
  const read = readWooOrder(webhook.payload, shopSettings(shop).personalizationKeys);
  switch (read.kind) {
    case "invalid":
      throw new Error(read.message);
    case "draft":
      return;
    case "trashed":
      await removeCartOrder(ctx, shop, read.cartOrderId);
      return;
    case "order":
      await ingestCartOrders(ctx, shop, [read.order], { source: "webhook" });
  }
};

const deleteOrder: Handler = async (ctx, webhook) => {
  const shop = await findShop(ctx.db, "woocommerce", webhook.shopDomain);
  if (!shop || shop.uninstalledAt) return;
  const id = deletedId(webhook.payload);
  if (!id) throw new Error("order.deleted without the order's id");
  await removeCartOrder(ctx, shop, id);
};

/** Spread into app/carts/webhook-handlers.server.ts. */
export const wooCommerceWebhookHandlers: Record<string, Handler> = {
  "woocommerce:order.created": upsertOrder,
  "woocommerce:order.updated": upsertOrder,
  "woocommerce:order.restored": upsertOrder,
  "woocommerce:order.deleted": deleteOrder,
};
