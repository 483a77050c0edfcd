import type { ActionFunctionArgs } from "@remix-run/node";
import { methodNotAllowed, outcomeResponse, requireApiCaller } from "~/api/http.server";
import { actingFor } from "~/orders/core/transitions.server";
import { syncPayments } from "~/orders/payments.server";

// POST /api/v1/orders/:orderId/payments/sync: Sync Payments, read from the cart again.
export async function action({ request, params, context }: ActionFunctionArgs) {
  if (request.method !== "POST") return methodNotAllowed("POST");
  const caller = await requireApiCaller(request, context);
  return outcomeResponse(
    await syncPayments(context, caller.shop.id, params.orderId ?? "", actingFor(caller)),
  );
}

export function loader() {
  return methodNotAllowed("POST");
}
