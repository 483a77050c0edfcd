// Which stored webhooks the worker acts on, by source and topic.
import type { AppContext } from "~/context.server";
import {
  appUninstalled,
  customersDataRequest,
  customersRedact,
  shopRedact,
  type ShopifyWebhook,
} from "./shopify/webhooks.server";

type Handler = (ctx: Pick<AppContext, "db">, webhook: ShopifyWebhook) => Promise<void>;

const HANDLERS: Record<string, Handler> = {
  "shopify:app/uninstalled": appUninstalled,
  "shopify:shop/redact": shopRedact,
  "shopify:customers/redact": customersRedact,
  "shopify:customers/data_request": customersDataRequest,
};

export function hasWebhookHandler(source: string, topic: string): boolean {
  return `${source}:${topic}` in HANDLERS;
}

export function webhookHandler(source: string, topic: string): Handler | undefined {
  return HANDLERS[`${source}:${topic}`];
}
