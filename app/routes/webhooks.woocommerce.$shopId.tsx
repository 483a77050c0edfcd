import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWooCommerceDelivery } from "~/carts/woocommerce/delivery.server";
import { jsonError } from "~/http.server";

// The delivery URL the app registers on each connected store (connect.server.ts). The signature is
// checked on the raw body, so it is read as text before anything parses it.
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
