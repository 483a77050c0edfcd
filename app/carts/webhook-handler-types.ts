// The shapes the worker's webhook handlers share. They live apart from the table of handlers
// (webhook-handlers.server.ts) so that the carts' handler files, which that table imports, can
// name them without importing the table back.
import type { AppContext } from "~/context.server";

export interface StoredWebhook {
  shopDomain: string;
  topic: string;
  payload: unknown;
}

// Order topics store orders (orders/ingest.server.ts), which needs the config and Shopify as well.
export type WebhookHandlerCtx = Pick<AppContext, "db" | "jobs" | "config" | "shopify">;
export type WebhookHandler = (ctx: WebhookHandlerCtx, webhook: StoredWebhook) => Promise<void>;

/**
 * Acts on several stored webhooks of one shop and topic family at once (set-based work: a burst of
 * order updates is one ingest). Answers per webhook, in order: null, or why that one failed. A
 * thrown error means none of them could be done (the worker then tries each alone).
 */
export type WebhookBatchHandler = (
  ctx: WebhookHandlerCtx,
  shopDomain: string,
  webhooks: StoredWebhook[],
) => Promise<(Error | null)[]>;
