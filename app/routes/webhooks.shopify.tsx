import type { ActionFunctionArgs } from "@remix-run/node";
import { requireShopify } from "~/context.server";
import { receiveWebhook } from "~/carts/webhook-receipts.server";
import { parseCartJson } from "~/carts/json";
import { errorResponse } from "~/http.server";

// Every Shopify topic (shopify.app.toml) arrives here. The HMAC is checked on the raw body by
// Shopify's library; we store the receipt, queue the work and answer at once (Shopify waits 5 s).
export async function action({ request, context }: ActionFunctionArgs) {
  try {
    const rawBody = await request.clone().text();
    const { shop, webhookId } = await requireShopify(context).authenticate.webhook(request);
    const topic = request.headers.get("x-shopify-topic") ?? "";
    const { duplicate } = await receiveWebhook(context, {
      source: "shopify",
      shopDomain: shop,
      deliveryId: webhookId,
      topic,
      // Parsed again so ids beyond 2^53 keep every digit.
      payload: parseCartJson(rawBody),
    });
    return new Response(null, {
      status: 200,
      headers: { "X-Orderlane-Duplicate": String(duplicate) },
    });
  } catch (err) {
    return errorResponse(err);
  }
}
