// What Shopify's app-lifecycle and privacy (compliance) webhooks do to our data. Order topics are
// handled in order-webhooks.server.ts.
import { and, eq, inArray, isNotNull, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { AppContext } from "~/context.server";
import { lineItems, orderEvents, orders, sessions, shops, webhookReceipts } from "~/db/schema";
import { addTimelineEntry } from "~/orders/core/timeline.server";
import { recordDataRequest } from "~/shops/customer-data.server";
import { findShop } from "~/shops/shops.server";
import type { StoredWebhook } from "../webhook-handler-types";

type Ctx = Pick<AppContext, "db">;

export type ShopifyWebhook = StoredWebhook;

const idList = z.array(z.union([z.string(), z.number()]).transform(String)).default([]);

const customerRedactPayload = z.object({
  customer: z.object({
    id: z.union([z.string(), z.number()]).transform(String),
    email: z.string().nullish(),
  }),
  orders_to_redact: idList,
});

const dataRequestPayload = z.object({
  customer: z.object({
    id: z.union([z.string(), z.number()]).transform(String),
    email: z.string().nullish(),
  }),
  orders_requested: idList,
  data_request: z.object({ id: z.union([z.string(), z.number()]).transform(String) }),
});

/** Queued work that would act for an uninstalled shop: countdown submissions and tracking pushes. */
const SHOP_QUEUES = ["auto-submit", "push-tracking"] as const;

/**
 * The app was removed: its access token is dead, so sessions go; orders stay until shop/redact.
 * Nothing more happens for the shop: running countdowns stop (so a countdown's job finds its
 * deadline gone) and its queued countdown and tracking jobs are cancelled. Purchase orders already
 * on their way to a provider are left to finish, so none is left half-sent.
 */
export async function appUninstalled(
  ctx: Pick<AppContext, "db" | "jobs">,
  webhook: ShopifyWebhook,
): Promise<void> {
  const shopId = await ctx.db.transaction(async (tx) => {
    await tx.delete(sessions).where(eq(sessions.shop, webhook.shopDomain));
    const [shop] = await tx
      .update(shops)
      .set({ uninstalledAt: new Date(), credentials: null, updatedAt: new Date() })
      .where(and(eq(shops.platform, "shopify"), eq(shops.domain, webhook.shopDomain)))
      .returning({ id: shops.id });
    if (!shop) return null;
    const stopped = await tx
      .update(orders)
      .set({ autoSubmitAt: null, updatedAt: new Date() })
      .where(and(eq(orders.shopId, shop.id), isNotNull(orders.autoSubmitAt)))
      .returning({ id: orders.id });
    if (stopped.length > 0) {
      await tx.insert(orderEvents).values(
        stopped.map((o) => ({
          shopId: shop.id,
          orderId: o.id,
          actor: "cart" as const,
          action: "countdown_stopped",
          message: "Countdown stopped: the app was uninstalled from Shopify",
        })),
      );
    }
    return shop.id;
  });
  if (!shopId) return;
  // After the transaction: the job queue shares the embedded database's one connection.
  for (const queue of SHOP_QUEUES) {
    const queued = await ctx.jobs.find(queue, { data: { shopId }, queued: true });
    await ctx.jobs.cancel(
      queue,
      queued.map((j) => j.id),
    );
  }
}

/** 48 hours after uninstall Shopify asks us to erase the shop: everything we hold about it goes. */
export async function shopRedact(ctx: Ctx, webhook: ShopifyWebhook): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    await tx.delete(sessions).where(eq(sessions.shop, webhook.shopDomain));
    // Cascades to orders, items, submissions, shipments, events, receipts and providers.
    await tx
      .delete(shops)
      .where(and(eq(shops.platform, "shopify"), eq(shops.domain, webhook.shopDomain)));
    await tx
      .delete(webhookReceipts)
      .where(
        and(
          eq(webhookReceipts.source, "shopify"),
          eq(webhookReceipts.shopDomain, webhook.shopDomain),
        ),
      );
  });
}

/** Erase one customer's personal data from the orders Shopify names (and any with their email). */
export async function customersRedact(ctx: Ctx, webhook: ShopifyWebhook): Promise<void> {
  const payload = customerRedactPayload.parse(webhook.payload);
  const shop = await findShop(ctx.db, "shopify", webhook.shopDomain);
  if (!shop) return; // nothing stored for this shop, so nothing to erase
  await ctx.db.transaction(async (tx) => {
    const match = [
      payload.orders_to_redact.length > 0
        ? inArray(orders.cartOrderId, payload.orders_to_redact)
        : undefined,
      payload.customer.email ? eq(orders.customerEmail, payload.customer.email) : undefined,
    ].filter((c) => c !== undefined);
    if (match.length === 0) return;
    const redacted = await tx
      .update(orders)
      .set({
        customerName: "Redacted customer",
        customerEmail: null,
        customerCity: null,
        customerProvince: null,
        billingAddress: null,
        shippingAddress: null,
        rawPayload: null,
        manualEdits: null,
        updatedAt: new Date(),
      })
      .where(and(eq(orders.shopId, shop.id), or(...match)))
      .returning({ id: orders.id });
    const ids = redacted.map((r) => r.id);
    if (ids.length === 0) return;
    // Personalisation can hold the customer's photos and names: drop them, keep the design file.
    await tx
      .update(lineItems)
      .set({
        personalization: sql`case when ${lineItems.personalization} is null then null
          else (${lineItems.personalization} - 'clientImages' - 'options') end`,
      })
      .where(and(eq(lineItems.shopId, shop.id), inArray(lineItems.orderId, ids)));
    for (const orderId of ids) {
      await addTimelineEntry(tx, {
        shopId: shop.id,
        orderId,
        actor: "cart",
        action: "customer_redacted",
        message: "Customer data erased at Shopify's request",
      });
    }
  });
}

/** Note the request on each order it covers, so the owner can answer it with the order pages. */
export async function customersDataRequest(ctx: Ctx, webhook: ShopifyWebhook): Promise<void> {
  const payload = dataRequestPayload.parse(webhook.payload);
  const shop = await findShop(ctx.db, "shopify", webhook.shopDomain);
  if (!shop) return;
  await ctx.db.transaction(async (tx) => {
    const { orderIds } = await recordDataRequest(tx, shop.id, {
      cartRequestId: payload.data_request.id,
      customerId: payload.customer.id,
      customerEmail: payload.customer.email ?? null,
      cartOrderIds: payload.orders_requested,
    });
    for (const orderId of orderIds) {
      await addTimelineEntry(tx, {
        shopId: shop.id,
        orderId,
        actor: "cart",
        action: "customer_data_requested",
        message: `Shopify data request ${payload.data_request.id}: this order is in the customer's data export (Settings > Customer data requests)`,
        data: { dataRequestId: payload.data_request.id, customerId: payload.customer.id },
      });
    }
  });
}
