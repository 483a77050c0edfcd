import type { ActionFunctionArgs } from "@remix-run/node";
import { methodNotAllowed } from "~/api/http.server";
import { runFlowSubmit, verifyFlowSignature } from "~/carts/shopify/flow-action.server";
import { jsonError } from "~/http.server";

/** Flow's payloads are a few hundred bytes; the edge caps /api/ bodies at 64 KiB already. */
const MAX_BYTES = 64 * 1024;

// POST /api/flow/submit-order: the Flow action "Submit order through Orderlane", signed by Shopify.
export async function action({ request, context }: ActionFunctionArgs) {
  if (request.method !== "POST") return methodNotAllowed("POST");
  const secret = context.config.shopify?.apiSecret;
  if (!secret) return jsonError(404, "shopify_not_configured", "Shopify is not set up here");
  // The signature covers the exact bytes Flow sent: read them raw, before any parsing.
  const raw = await request.text();
  if (Buffer.byteLength(raw, "utf8") > MAX_BYTES) {
    return jsonError(413, "body_too_large", "The request body is too large");
  }
  if (!verifyFlowSignature(raw, request.headers.get("x-shopify-hmac-sha256"), secret)) {
    return jsonError(401, "unauthorized", "The request is not signed by Shopify for this app");
  }
  let body: unknown;
  try {
    body = JSON.parse(raw) as unknown;
  } catch {
    return jsonError(400, "invalid_json", "The request body is not valid JSON");
  }
  const answer = await runFlowSubmit(context, body);
  return Response.json(answer.body, { status: answer.status });
}

export function loader() {
  return methodNotAllowed("POST");
}
