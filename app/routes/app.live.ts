// Server-Sent Events for the signed-in owner's shop: a `change` event whenever something the shop's
// pages show was committed. Pages read it with useLiveUpdates (app/ui/useLiveUpdates.ts).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { shopChangeStream } from "~/orders/live.server";
import { requireOwner } from "~/shops/owner.server";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const owner = await requireOwner(request, context);
  return new Response(shopChangeStream(context.live, owner.shop.id, request.signal), {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
      // Proxies such as nginx would otherwise hold events back in their buffers.
      "X-Accel-Buffering": "no",
    },
  });
}
