// WooCommerce as a cart, through its REST API v3 (the official client, which uses axios).
import WooCommerceModule from "@woocommerce/woocommerce-rest-api";
import { openSecret } from "~/security/encryption.server";
import { CartReadError } from "../connector";
import type { CartConnector, ConnectorContext, ConnectorShop, PushOutcome } from "../connector";

// From Node's ESM the package can arrive as `{ default: Class }` instead of the class itself.
const WooCommerceRestApi = ((WooCommerceModule as unknown as { default?: typeof WooCommerceModule })
  .default ?? WooCommerceModule) as typeof WooCommerceModule;
type Client = InstanceType<typeof WooCommerceRestApi>;

export interface WooCommerceCredentials {
  consumerKey: string;
  consumerSecret: string;
  /** The store's base URL; https://<shop domain> when absent. */
  url?: string;
}

const TIMEOUT_MS = 30_000;

export function wooCredentials(
  ctx: ConnectorContext,
  shop: { domain: string; credentials: string | null },
): WooCommerceCredentials | null {
  if (!shop.credentials) return null;
  try {
    const parsed = JSON.parse(
      openSecret(ctx.config.encryptionKey, shop.credentials),
    ) as Partial<WooCommerceCredentials>;
    return parsed.consumerKey && parsed.consumerSecret
      ? { consumerKey: parsed.consumerKey, consumerSecret: parsed.consumerSecret, url: parsed.url }
      : null;
  } catch {
    return null;
  }
}

function client(credentials: WooCommerceCredentials, domain: string, version: string): Client {
  return new WooCommerceRestApi({
    url: credentials.url ?? `https://${domain}`,
    consumerKey: credentials.consumerKey,
    consumerSecret: credentials.consumerSecret,
    // The client builds `<wp-json>/<version>/<path>`, so an extension's namespace works here too.
    version: version as "wc/v3",
    timeout: TIMEOUT_MS,
  });
}

interface AxiosLikeError {
  response?: { status: number; data?: { code?: string; message?: string } };
  message?: string;
}

function failure(err: unknown): PushOutcome {
  const e = err as AxiosLikeError;
  const status = e.response?.status;
  const message = e.response?.data?.message ?? e.message ?? String(err);
  const retryable = status === undefined || status === 429 || status >= 500;
  return {
    ok: false,
    retryable,
    reason: `WooCommerce${status ? ` (HTTP ${status})` : ""}: ${message}`,
  };
}

export function createWooCommerceConnector(
  ctx: ConnectorContext,
  shop: ConnectorShop,
): CartConnector {
  // TODO(order sync): reading orders and writing status arrive with the order-sync work.
  const notYet = {
    ok: false as const,
    retryable: false,
    reason: "Not available yet for WooCommerce",
  };
  return {
    async fetchOrder() {
      return notYet;
    },
    // eslint-disable-next-line require-yield
    async *importOrders() {
      throw new CartReadError(notYet.reason, false);
    },
    async setOrderStatus() {
      return notYet;
    },
    orderEditorUrl() {
      return null;
    },
    async pushTracking(push): Promise<PushOutcome> {
      const credentials = wooCredentials(ctx, shop);
      if (!credentials) {
        return {
          ok: false,
          retryable: false,
          reason: "The store's API keys are missing or unreadable: connect the store again",
        };
      }
      const wc = client(credentials, shop.domain, "wc/v3");
      const orderPath = `orders/${encodeURIComponent(push.cartOrderId)}`;
      try {
        // A retry after a partial success must not post the note twice: look for it first.
        const notes = (await wc.get(`${orderPath}/notes`)).data as { note?: string }[];
        const noted = notes.some((n) => n.note?.includes(push.trackingNumber));

        if (!noted) {
          // The Shipment Tracking extension shows tracking in the customer's account and emails;
          // a store without it answers 404 (no such route) and the customer note carries it alone.
          const tracking = client(credentials, shop.domain, "wc-shipment-tracking/v3");
          await tracking
            .post(`${orderPath}/shipment-trackings`, {
              custom_tracking_provider: push.carrier ?? "Carrier",
              tracking_number: push.trackingNumber,
              custom_tracking_link: push.trackingUrl ?? "",
            })
            .catch((err: unknown) => {
              if ((err as AxiosLikeError).response?.status !== 404) throw err;
            });
          const link = push.trackingUrl ? `: ${push.trackingUrl}` : "";
          await wc.post(`${orderPath}/notes`, {
            note: `Your order has shipped with ${push.carrier ?? "our carrier"}. Tracking number ${push.trackingNumber}${link}`,
            customer_note: push.notifyCustomer,
          });
        }
        if (push.completesOrder) await wc.put(orderPath, { status: "completed" });
        return { ok: true };
      } catch (err) {
        return failure(err);
      }
    },
  };
}
