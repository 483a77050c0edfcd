// The deliveries a real cart sends after a change it accepted, sent by the demo's cart simulator
// to the app's webhook routes, signed as each cart signs them: Shopify with the app's API secret
// (X-Shopify-Hmac-Sha256), WooCommerce with the secret of the store's webhook
// (X-WC-Webhook-Signature). The demo thus reaches the app through the same door as production: a
// status change, a fulfilment or a note written to a demo cart comes back as a webhook receipt.
import { createHmac, randomUUID } from "node:crypto";

export interface ShopifyDeliveryTarget {
  /** The app's Shopify webhook address (…/webhooks/shopify), as shopify.app.toml declares it. */
  address: string;
  /** The app's API secret, which Shopify signs every delivery for the app with. */
  secret: string;
  apiVersion: string;
}

/** A webhook the store has (WooCommerce keeps them per store, with their own secret). */
export interface WooWebhook {
  id: number;
  topic: string;
  status: string;
  deliveryUrl: string;
  secret: string;
}

export type Deliver = (delivery: {
  url: string;
  headers: Record<string, string>;
  body: string;
}) => void;

const sign = (secret: string, body: string) =>
  createHmac("sha256", secret).update(body, "utf8").digest("base64");

export function shopifyDelivery(
  target: ShopifyDeliveryTarget,
  shop: string,
  topic: string,
  payload: unknown,
) {
  const body = JSON.stringify(payload);
  return {
    url: target.address,
    body,
    headers: {
      "Content-Type": "application/json",
      "X-Shopify-Topic": topic,
      "X-Shopify-Shop-Domain": shop,
      "X-Shopify-Webhook-Id": randomUUID(),
      "X-Shopify-Event-Id": randomUUID(),
      "X-Shopify-Triggered-At": new Date().toISOString(),
      "X-Shopify-API-Version": target.apiVersion,
      "X-Shopify-Hmac-Sha256": sign(target.secret, body),
    },
  };
}

export function wooDelivery(webhook: WooWebhook, storeUrl: string, payload: unknown) {
  const body = JSON.stringify(payload);
  const [resource = "order", event = "updated"] = webhook.topic.split(".");
  return {
    url: webhook.deliveryUrl,
    body,
    headers: {
      "Content-Type": "application/json",
      "X-WC-Webhook-Source": `${storeUrl}/`,
      "X-WC-Webhook-Topic": webhook.topic,
      "X-WC-Webhook-Resource": resource,
      "X-WC-Webhook-Event": event,
      "X-WC-Webhook-ID": String(webhook.id),
      "X-WC-Webhook-Delivery-ID": randomUUID(),
      "X-WC-Webhook-Signature": sign(webhook.secret, body),
    },
  };
}

/**
 * Sends deliveries one at a time, in the order the changes happened (a cart's queue), without
 * holding up the answer to the call that made the change. A refused or failed delivery is logged
 * and dropped, as a cart gives up on it eventually; the app's own reads still find the change.
 */
export function deliveryQueue(log?: { error(message: string): void }): {
  deliver: Deliver;
  idle(): Promise<void>;
} {
  let chain: Promise<void> = Promise.resolve();
  const deliver: Deliver = (delivery) => {
    chain = chain.then(async () => {
      try {
        const response = await fetch(delivery.url, {
          method: "POST",
          headers: delivery.headers,
          body: delivery.body,
          signal: AbortSignal.timeout(10_000),
        });
        await response.arrayBuffer();
        if (!response.ok) {
          log?.error(`[cart simulator] delivery to ${delivery.url} answered ${response.status}`);
        }
      } catch (err) {
        log?.error(`[cart simulator] delivery to ${delivery.url} failed: ${String(err)}`);
      }
    });
  };
  return { deliver, idle: () => chain };
}
