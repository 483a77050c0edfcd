import type { ActionFunctionArgs } from "@remix-run/node";
import { methodNotAllowed, readJsonBody, requireApiCaller } from "~/api/http.server";
import { jsonError } from "~/http.server";
import { cancelOrder, cancelOrderInput } from "~/orders/cancel-order.server";
import { actingFor } from "~/orders/core/transitions.server";
import { OUTCOME_STATUS } from "~/orders/outcome.server";

// POST /api/v1/orders/:orderId/cancel {"reason", "notifyCustomer", "restock"}: Cancel Order, through
// the cart first. Answers what the cart refunded and released and what became of each purchase order.
export async function action({ request, params, context }: ActionFunctionArgs) {
  if (request.method !== "POST") return methodNotAllowed("POST");
  const caller = await requireApiCaller(request, context);
  const parsed = cancelOrderInput.safeParse(await readJsonBody(request));
  if (!parsed.success) {
    return jsonError(400, "invalid", parsed.error.issues.map((i) => i.message).join("; "));
  }
  const outcome = await cancelOrder(
    context,
    caller.shop.id,
    params.orderId ?? "",
    parsed.data,
    actingFor(caller),
  );
  if (!outcome.ok) return jsonError(OUTCOME_STATUS[outcome.code], outcome.code, outcome.reason);
  return Response.json({
    ok: true,
    message: outcome.message,
    orderId: outcome.orderId,
    currency: outcome.currency,
    refunded: outcome.refunded,
    voided: outcome.voided,
    purchaseOrders: outcome.purchaseOrders,
  });
}

export function loader() {
  return methodNotAllowed("POST");
}
