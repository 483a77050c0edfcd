import type { ActionFunctionArgs } from "@remix-run/node";
import { requireShopify } from "~/context.server";
import { receiveWebhook } from "~/carts/webhook-receipts.server";
import { parseCartJson } from "~/carts/json";
import { checkOrderWebhook, recordRejectedDelivery } from "~/carts/shopify/order-webhooks.server";
import { errorResponse, jsonError } from "~/http.server";

// Every Shopify topic (shopify.app.toml) arrives here. The HMAC is checked on the raw body by
// Shopify's library; we check an order delivery is an order, store the receipt, queue the work and
// answer at once (Shopify waits 5 s).
export async function action({ request, context }: ActionFunctionArgs) {
  try {
    const rawBody = await request.clone().text();
    const topic = request.headers.get("x-shopify-topic") ?? "";
    let shop: string;
    let webhookId: string;
    try {
      ({ shop, webhookId } = await requireShopify(context).authenticate.webhook(request));
    } catch (err) {
      // The library parses the body only after the HMAC matched, so a SyntaxError here is a
      // signed delivery that is not JSON.
      if (!(err instanceof SyntaxError)) throw err;
      return await reject(context, request, topic, "The body is not valid JSON");
    }
    // Parsed again so ids beyond 2^53 keep every digit.
    const payload = parseCartJson(rawBody);
    const problem = checkOrderWebhook(topic, payload);
    if (problem) return await reject(context, request, topic, problem, { shop, webhookId });
    const { duplicate } = await receiveWebhook(context, {
      source: "shopify",
      shopDomain: shop,
      deliveryId: webhookId,
      topic,
      payload,
    });
    return new Response(null, {
      status: 200,
      headers: { "X-Orderlane-Duplicate": String(duplicate) },
    });
  } catch (err) {
    return errorResponse(err);
  }
}

async function reject(
  context: ActionFunctionArgs["context"],
  request: Request,
  topic: string,
  reason: string,
  known?: { shop: string; webhookId: string },
): Promise<Response> {
  const shopDomain = known?.shop ?? request.headers.get("x-shopify-shop-domain") ?? "";
  const deliveryId = known?.webhookId ?? request.headers.get("x-shopify-webhook-id") ?? "";
  if (shopDomain && deliveryId) {
    await recordRejectedDelivery(context, { shopDomain, deliveryId, topic, reason });
  }
  return jsonError(400, "invalid_payload", reason);
}
