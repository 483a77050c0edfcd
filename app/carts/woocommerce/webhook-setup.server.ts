// Orderlane's order webhooks on a WooCommerce store. WooCommerce keeps webhooks per store and
// disables one after repeated failed deliveries, so connecting creates them and every
// reconciliation sweep puts back any that went missing or stopped.
import type { WooClient } from "./connector.server";
import { WOO_TOPICS } from "./topics";

interface StoreWebhook {
  id: number;
  topic?: string;
  delivery_url?: string;
  status?: string;
}

export interface WebhooksOnStore {
  /** The store's ids of Orderlane's webhooks, one per topic. */
  ids: string[];
  /** What had to be put back, in the owner's words ("order updates (was disabled)"). */
  repaired: string[];
}

/** Where a store delivers its webhooks: the shop's own address on this app. */
export const wooDeliveryUrl = (publicUrl: string, shopId: string) =>
  `${publicUrl}/webhooks/woocommerce/${shopId}`;

const TOPIC_WORDS: Record<(typeof WOO_TOPICS)[number], string> = {
  "order.created": "new orders",
  "order.updated": "order updates",
  "order.deleted": "deleted orders",
  "order.restored": "restored orders",
};

/**
 * Makes sure each topic has an active webhook pointing at Orderlane. `refresh` rewrites webhooks
 * that are fine too (connecting again sets a new secret); otherwise only broken ones are written.
 */
export async function ensureStoreWebhooks(
  wc: WooClient,
  target: { deliveryUrl: string; secret: string },
  options: { refresh: boolean },
): Promise<WebhooksOnStore> {
  const listed = (await wc.get("webhooks", { per_page: 100 })).data;
  const existing: StoreWebhook[] = Array.isArray(listed) ? (listed as StoreWebhook[]) : [];
  const ids: string[] = [];
  const repaired: string[] = [];
  for (const topic of WOO_TOPICS) {
    const mine = existing.find((w) => w.topic === topic && w.delivery_url === target.deliveryUrl);
    const body = {
      name: `Orderlane: ${topic}`,
      topic,
      delivery_url: target.deliveryUrl,
      secret: target.secret,
      status: "active",
    };
    if (mine && mine.status === "active" && !options.refresh) {
      ids.push(String(mine.id));
      continue;
    }
    if (mine && mine.status !== "active") {
      repaired.push(`${TOPIC_WORDS[topic]} (was ${mine.status ?? "stopped"})`);
    } else if (!mine) repaired.push(`${TOPIC_WORDS[topic]} (was missing)`);
    const res = mine ? await wc.put(`webhooks/${mine.id}`, body) : await wc.post("webhooks", body);
    ids.push(String((res.data as { id: number }).id));
  }
  return { ids, repaired };
}
