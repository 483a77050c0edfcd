// Which stored webhooks and provider events the worker acts on, by source and topic.
import { applyProviderEvent } from "~/fulfillment/provider-events.server";
import {
  appUninstalled,
  customersDataRequest,
  customersRedact,
  shopRedact,
} from "./shopify/webhooks.server";
import {
  shopifyOrderWebhookBatchHandlers,
  shopifyOrderWebhookHandlers,
} from "./shopify/order-webhooks.server";
import {
  wooCommerceWebhookBatchHandlers,
  wooCommerceWebhookHandlers,
} from "./woocommerce/webhooks.server";
import type { WebhookBatchHandler, WebhookHandler as Handler } from "./webhook-handler-types";

/** The single-webhook form of a batch handler, so one rule serves both. */
function oneAtATime(batch: WebhookBatchHandler): Handler {
  return async (ctx, webhook) => {
    const [error] = await batch(ctx, webhook.shopDomain, [webhook]);
    if (error) throw error;
  };
}

const providerEvent: Handler = (ctx, webhook) => applyProviderEvent(ctx, webhook.payload);

const BATCH_HANDLERS: Record<string, WebhookBatchHandler> = {
  ...shopifyOrderWebhookBatchHandlers,
  ...wooCommerceWebhookBatchHandlers,
};

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
  ...Object.fromEntries(
    Object.entries(BATCH_HANDLERS).map(([key, batch]) => [key, oneAtATime(batch)]),
  ),
};

export function hasWebhookHandler(source: string, topic: string): boolean {
  return `${source}:${topic}` in HANDLERS;
}

export function webhookHandler(source: string, topic: string): Handler | undefined {
  return HANDLERS[`${source}:${topic}`];
}

/** The set-based handler for a topic, where it has one. */
export function webhookBatchHandler(
  source: string,
  topic: string,
): WebhookBatchHandler | undefined {
  return BATCH_HANDLERS[`${source}:${topic}`];
}
