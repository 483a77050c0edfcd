import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveShopifyDelivery } from "~/carts/shopify/delivery.server";

// Every Shopify topic (shopify.app.toml) is delivered to /webhooks/shopify. server/web.ts answers
// it ahead of Remix (docs/decisions/0017-webhook-door.md); this route answers the same way, through
// the same service, wherever the app is served by Remix alone.
async function door({ request, context }: ActionFunctionArgs): Promise<Response> {
  const body = Buffer.from(await request.arrayBuffer());
  const answer = await receiveShopifyDelivery(context, {
    method: request.method,
    headers: request.headers,
    body,
  });
  return answer.body === null
    ? new Response(null, { status: answer.status, headers: answer.headers })
    : Response.json(answer.body, { status: answer.status, headers: answer.headers });
}

export const action = door;
export const loader = door;
