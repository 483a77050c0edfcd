import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveProviderEvents } from "~/fulfillment/provider-events.server";
import { jsonError } from "~/http.server";

// Providers post shipments, rejections and cancellations here (docs/provider-protocol.md); each
// provider's own shape is read by its adapter.
export async function action({ request, params, context }: ActionFunctionArgs) {
  if (request.method !== "POST") return jsonError(405, "method_not_allowed", "Use POST");
  const answer = await receiveProviderEvents(context, params.providerId ?? "", {
    rawBody: await request.text(),
    headers: request.headers,
    url: new URL(request.url),
  });
  return Response.json(answer.body, { status: answer.status });
}

export function loader() {
  return jsonError(405, "method_not_allowed", "Providers POST events to this address");
}
