// Which stored webhooks and provider events the worker acts on, by source and topic.
import type { AppContext } from "~/context.server";
import { applyProviderEvent } from "~/fulfillment/events.server";
import {
  appUninstalled,
  customersDataRequest,
  customersRedact,
  shopRedact,
} from "./shopify/webhooks.server";
import { shopifyOrderWebhookHandlers } from "./shopify/order-webhooks.server";
import { wooCommerceWebhookHandlers } from "./woocommerce/webhooks.server";

export interface StoredWebhook {
  shopDomain: string;
  topic: string;
  payload: unknown;
}

// Order topics store orders (orders/ingest.server.ts), which needs the config and Shopify as well.
type Handler = (
  ctx: Pick<AppContext, "db" | "jobs" | "config" | "shopify">,
  webhook: StoredWebhook,
) => Promise<void>;

const providerEvent: Handler = (ctx, webhook) => applyProviderEvent(ctx, webhook.payload);

const HANDLERS: Record<string, Handler> = {
  "shopify:app/uninstalled": appUninstalled,
  "shopify:shop/redact": shopRedact,
  "shopify:customers/redact": customersRedact,
  "shopify:customers/data_request": customersDataRequest,
  ...shopifyOrderWebhookHandlers,
  "provider:provider/shipped": providerEvent,
  "provider:provider/rejected": providerEvent,
  "provider:provider/cancelled": providerEvent,
  ...wooCommerceWebhookHandlers,
};

export function hasWebhookHandler(source: string, topic: string): boolean {
  return `${source}:${topic}` in HANDLERS;
}

export function webhookHandler(source: string, topic: string): Handler | undefined {
  return HANDLERS[`${source}:${topic}`];
}
