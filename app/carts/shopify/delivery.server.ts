// A Shopify webhook delivery at the door: signature, Shopify's headers, the payload's shape for the
// order topics; then one statement stores the receipt and its job, or a clear refusal is sent.
// Everything else happens in the worker (webhook-handlers.server.ts). Why this and not the
// library's authenticate.webhook: docs/decisions/0017-webhook-door.md.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { AppContext } from "~/context.server";
import { parseCartJson } from "../json";
import { namingDelivery, receiveWebhook, type HeaderLookup } from "../webhook-receipts.server";
import { checkOrderWebhook, recordRejectedDelivery } from "./order-webhooks.server";

export interface DoorAnswer {
  status: number;
  /** JSON body; null for an empty one. */
  body: { error: { code: string; message: string } } | null;
  headers?: Record<string, string>;
}

const refuse = (status: number, code: string, message: string): DoorAnswer => ({
  status,
  body: { error: { code, message } },
});

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;
// Stable versions are YYYY-MM; "unstable" is what a development store may subscribe with.
const API_VERSION = /^(\d{4}-\d{2}|unstable)$/;
const HMAC_BYTES = 32;

/** True when `signature` is the base64 HMAC-SHA256 of the raw body with the app's secret. */
export function shopifySignatureMatches(rawBody: Buffer, secret: string, signature: string) {
  const given = Buffer.from(signature.trim(), "base64");
  // timingSafeEqual needs equal lengths; the length of a digest is no secret.
  if (given.length !== HMAC_BYTES) return false;
  return timingSafeEqual(createHmac("sha256", secret).update(rawBody).digest(), given);
}

/** Checks one delivery (method, signature, headers, payload) and stores it, or refuses it. */
export async function receiveShopifyDelivery(
  ctx: Pick<AppContext, "db" | "jobs" | "config">,
  request: { method: string; headers: HeaderLookup; body: Buffer },
): Promise<DoorAnswer> {
  if (request.method !== "POST") {
    return {
      ...refuse(405, "method_not_allowed", "Shopify webhooks are POSTed"),
      headers: { Allow: "POST" },
    };
  }
  const secret = ctx.config.shopify?.apiSecret;
  if (!secret) {
    return refuse(
      404,
      "shopify_not_configured",
      "Shopify is not configured on this server (set SHOPIFY_API_KEY and SHOPIFY_API_SECRET)",
    );
  }
  const signature = request.headers.get("x-shopify-hmac-sha256");
  if (!signature) return refuse(401, "signature_missing", "X-Shopify-Hmac-Sha256 is missing");
  if (!shopifySignatureMatches(request.body, secret, signature)) {
    return refuse(401, "signature_invalid", "X-Shopify-Hmac-Sha256 does not match the body");
  }

  // Signed by Shopify, so from here on a refusal is a delivery we could not use, not an intruder.
  const header = (name: string) => request.headers.get(name)?.trim() ?? "";
  const topic = header("x-shopify-topic");
  const shopDomain = header("x-shopify-shop-domain").toLowerCase();
  const webhookId = header("x-shopify-webhook-id");
  const apiVersion = header("x-shopify-api-version");
  const missing = [
    topic ? null : "X-Shopify-Topic",
    shopDomain ? null : "X-Shopify-Shop-Domain",
    webhookId ? null : "X-Shopify-Webhook-Id",
    apiVersion ? null : "X-Shopify-API-Version",
  ].filter((name) => name !== null);
  if (missing.length > 0) {
    return refuse(400, "headers_missing", `Shopify's headers are missing: ${missing.join(", ")}`);
  }
  if (!SHOP_DOMAIN.test(shopDomain)) {
    return refuse(
      400,
      "shop_domain_invalid",
      "X-Shopify-Shop-Domain is not a myshopify.com domain",
    );
  }
  if (!API_VERSION.test(apiVersion)) {
    return refuse(400, "api_version_invalid", "X-Shopify-API-Version is not a Shopify API version");
  }

  const delivery = { source: "shopify", shopDomain, deliveryId: webhookId, topic } as const;
  const reject = async (reason: string) => {
    // A failure is logged by the delivery's ids, never by what the driver quotes.
    await namingDelivery(delivery, () =>
      recordRejectedDelivery(ctx, { shopDomain, deliveryId: webhookId, topic, reason }),
    );
    return refuse(400, "invalid_payload", reason);
  };
  let payload: unknown;
  try {
    // Ids beyond 2^53 keep every digit.
    payload = parseCartJson(request.body.toString("utf8"));
  } catch {
    return reject("The body is not valid JSON");
  }
  const problem = checkOrderWebhook(topic, payload);
  if (problem) return reject(problem);

  const stored = await receiveWebhook(ctx, { ...delivery, payload });
  // A payload the database cannot hold: recorded as rejected already, without the payload.
  if ("refused" in stored) return refuse(400, "invalid_payload", stored.refused);
  return {
    status: 200,
    body: null,
    headers: { "X-Orderlane-Duplicate": String(stored.duplicate) },
  };
}
