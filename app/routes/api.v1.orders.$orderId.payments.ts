import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { methodNotAllowed, requireApiCaller } from "~/api/http.server";
import { jsonError } from "~/http.server";
import { readPayments } from "~/orders/payments.server";

// GET /api/v1/orders/:orderId/payments: status, amounts and the cart's transactions.
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const caller = await requireApiCaller(request, context);
  const payments = await readPayments(context, caller.shop.id, params.orderId ?? "");
  if (!payments) return jsonError(404, "not_found", "There is no such order in this shop");
  return Response.json(payments);
}

export function action(_args: ActionFunctionArgs) {
  return methodNotAllowed("GET");
}
