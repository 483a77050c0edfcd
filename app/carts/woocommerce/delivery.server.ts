// A WooCommerce webhook delivery at the door: the unsigned ping, the signature, the topic, the
// payload's shape; then a stored receipt and its job, or a clear refusal. Cheap on purpose (one shop
// read, one HMAC, one small transaction): the worker does the rest (webhooks.server.ts).
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { AppContext } from "~/context.server";
import { shops, webhookReceipts } from "~/db/schema";
import type { Shop } from "~/shops/shops.server";
import { parseCartJson } from "../json";
import { namingDelivery, receiveWebhook, type HeaderLookup } from "../webhook-receipts.server";
import { wooCredentials } from "./connector.server";
import { readWooOrder } from "./normalize";
import { isWooTopic } from "./topics";
import { deletedId } from "./webhooks.server";
import { shopSettings } from "~/orders/core/shop-settings";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface DeliveryAnswer {
  status: 200 | 400 | 401 | 404;
  /** What the store (and whoever reads its webhook log) is told. */
  body:
    | { ok: true; outcome: "ping" | "queued" | "duplicate" | "skipped" | "ignored" }
    | {
        error: { code: string; message: string };
      };
}

const refuse = (
  status: DeliveryAnswer["status"],
  code: string,
  message: string,
): DeliveryAnswer => ({ status, body: { error: { code, message } } });

/** WooCommerce signs the raw body: base64 of HMAC-SHA256 with the webhook's secret. */
export function signWooBody(rawBody: string | Buffer, secret: string): string {
  return createHmac("sha256", secret).update(rawBody).digest("base64");
}

function signatureMatches(rawBody: Buffer, secret: string, signature: string): boolean {
  const expected = Buffer.from(signWooBody(rawBody, secret), "utf8");
  const given = Buffer.from(signature.trim(), "utf8");
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Checks one delivery and stores it as a receipt with its job, or refuses it. */
export async function receiveWooCommerceDelivery(
  ctx: Pick<AppContext, "db" | "jobs" | "config">,
  shopId: string,
  headers: HeaderLookup,
  body: Buffer,
): Promise<DeliveryAnswer> {
  // The signature covers the bytes as sent; the text is for reading them.
  const rawBody = body.toString("utf8");
  const signature = headers.get("x-wc-webhook-signature");
  // Creating a webhook makes WooCommerce post `webhook_id=N`, unsigned, and it keeps the webhook
  // only when the answer is 200. Nothing in it is worth storing.
  if (!signature && /^webhook_id=\d+$/.test(rawBody.trim())) {
    return { status: 200, body: { ok: true, outcome: "ping" } };
  }

  const shop = UUID.test(shopId) ? await wooShop(ctx, shopId) : undefined;
  if (!shop) {
    return refuse(404, "unknown_store", "No connected WooCommerce store has this webhook address");
  }
  const secret = wooCredentials(ctx, shop)?.webhookSecret;
  if (!secret) {
    return refuse(
      401,
      "store_not_connected",
      "This store has no webhook secret on file: connect it again from Orderlane",
    );
  }
  if (!signature) {
    return refuse(401, "signature_missing", "X-WC-Webhook-Signature is missing");
  }
  if (!signatureMatches(body, secret, signature)) {
    return refuse(401, "signature_invalid", "X-WC-Webhook-Signature does not match the body");
  }

  const topic = (headers.get("x-wc-webhook-topic") ?? "").trim();
  // Another topic someone pointed at this address: acknowledged, not kept (refusing would only make
  // WooCommerce disable the webhook after a few failures).
  if (!isWooTopic(topic)) return { status: 200, body: { ok: true, outcome: "ignored" } };

  const bodyHash = createHash("sha256").update(body).digest("hex").slice(0, 16);
  const header = headers.get("x-wc-webhook-delivery-id")?.trim();
  // WooCommerce derives the delivery id from the webhook id and the current second, so two orders
  // in one second share it; with the body's hash, a true redelivery still dedupes and they do not.
  const deliveryId = `${header || "none"}:${bodyHash}`;
  const delivery = { source: "woocommerce", shopDomain: shop.domain, deliveryId, topic } as const;
  const reject = async (message: string, payload: unknown) => {
    // A failure is logged by the delivery's ids, never by what the driver quotes (the payload).
    await namingDelivery(delivery, () =>
      recordRejected(ctx, shop, { deliveryId, topic, payload, error: message }),
    );
    return refuse(400, "invalid_payload", message);
  };
  if (!header) return reject("X-WC-Webhook-Delivery-ID is missing", null);

  let payload: unknown;
  try {
    payload = parseCartJson(rawBody);
  } catch {
    return reject("The body is not JSON", null);
  }

  if (topic === "order.deleted") {
    if (!deletedId(payload)) return reject("order.deleted needs the order's id", payload);
  } else {
    const read = readWooOrder(payload, shopSettings(shop).personalizationKeys);
    if (read.kind === "invalid") return reject(read.message, payload);
    // A checkout the customer has not finished is not an order: nothing to keep.
    if (read.kind === "draft") return { status: 200, body: { ok: true, outcome: "skipped" } };
  }

  const stored = await receiveWebhook(ctx, { ...delivery, payload });
  // A payload the database cannot hold: recorded as rejected already, without the payload.
  if ("refused" in stored) return refuse(400, "invalid_payload", stored.refused);
  return { status: 200, body: { ok: true, outcome: stored.duplicate ? "duplicate" : "queued" } };
}

async function wooShop(ctx: Pick<AppContext, "db">, shopId: string): Promise<Shop | undefined> {
  const [shop] = await ctx.db
    .select()
    .from(shops)
    .where(and(eq(shops.id, shopId), eq(shops.platform, "woocommerce")))
    .limit(1);
  return shop && !shop.uninstalledAt ? shop : undefined;
}

/** A refused delivery is kept as a receipt with its reason and no job, for support to read. */
async function recordRejected(
  ctx: Pick<AppContext, "db">,
  shop: Shop,
  r: { deliveryId: string; topic: string; payload: unknown; error: string },
): Promise<void> {
  await ctx.db
    .insert(webhookReceipts)
    .values({
      shopId: shop.id,
      source: "woocommerce",
      shopDomain: shop.domain,
      deliveryId: r.deliveryId,
      topic: r.topic,
      payload: r.payload ?? null,
      error: `Rejected: ${r.error}`.slice(0, 2000),
    })
    .onConflictDoNothing();
}
