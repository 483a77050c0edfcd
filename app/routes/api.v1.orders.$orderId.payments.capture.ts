import type { ActionFunctionArgs } from "@remix-run/node";
import { methodNotAllowed, readJsonBody, requireApiCaller } from "~/api/http.server";
import { jsonError } from "~/http.server";
import { actingFor } from "~/orders/core/transitions.server";
import { capturePayment } from "~/orders/payments.server";
import { OUTCOME_STATUS } from "~/orders/outcome.server";

// POST /api/v1/orders/:orderId/payments/capture {"amount": "12.34"}: Capture, through the cart.
// An amount that cannot be captured (too much, zero, negative, not a number, too many decimals)
// is 422 with the reason; a body that is not an object with an amount string is 400.
export async function action({ request, params, context }: ActionFunctionArgs) {
  if (request.method !== "POST") return methodNotAllowed("POST");
  const caller = await requireApiCaller(request, context);
  const input = await readJsonBody(request);
  const outcome = await capturePayment(
    context,
    caller.shop.id,
    params.orderId ?? "",
    input,
    actingFor(caller),
  );
  if (outcome.ok)
    return Response.json({ ok: true, message: outcome.message, orderId: outcome.orderId });
  const wellFormed =
    typeof input === "object" &&
    input !== null &&
    typeof (input as { amount?: unknown }).amount === "string";
  const status = outcome.code === "invalid" && wellFormed ? 422 : OUTCOME_STATUS[outcome.code];
  return jsonError(
    status,
    outcome.code === "invalid" && wellFormed ? "unprocessable" : outcome.code,
    outcome.reason,
  );
}

export function loader() {
  return methodNotAllowed("POST");
}
