import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWooCommerceDelivery } from "~/carts/woocommerce/delivery.server";
import { jsonError } from "~/http.server";

// The delivery URL the app registers on each connected store (connect.server.ts). server/web.ts
// answers it ahead of Remix through the same service (docs/decisions/0017-webhook-door.md); this
// route does the same wherever Remix serves it. The signature covers the raw body, read as bytes.
export async function action({ request, params, context }: ActionFunctionArgs) {
  if (request.method !== "POST") {
    return jsonError(405, "method_not_allowed", "WooCommerce webhooks are POSTed");
  }
  const rawBody = Buffer.from(await request.arrayBuffer());
  const answer = await receiveWooCommerceDelivery(
    context,
    params.shopId ?? "",
    request.headers,
    rawBody,
  );
  return Response.json(answer.body, { status: answer.status });
}

export function loader() {
  return jsonError(405, "method_not_allowed", "WooCommerce webhooks are POSTed");
}
