import type { ActionFunctionArgs } from "@remix-run/node";
import { completeWooConnect } from "~/carts/woocommerce/connect.server";
import { jsonError } from "~/http.server";

// The store posts the API keys it made for Orderlane here (server to server), and shows its owner
// an error unless the answer is 200.
export async function action({ request, context }: ActionFunctionArgs) {
  if (request.method !== "POST") {
    return jsonError(405, "method_not_allowed", "WooCommerce posts its keys here");
  }
  let body: unknown;
  try {
    body = JSON.parse(await request.text());
  } catch {
    return jsonError(400, "invalid_json", "The body is not JSON");
  }
  const outcome = await completeWooConnect(context, body);
  if (!outcome.ok) return jsonError(outcome.status, "connect_refused", outcome.reason);
  return Response.json({ ok: true }, { status: 200 });
}

export function loader() {
  return jsonError(405, "method_not_allowed", "WooCommerce posts its keys here");
}
