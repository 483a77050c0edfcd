import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { getApiOrder } from "~/api/orders.server";
import { methodNotAllowed, requireApiCaller } from "~/api/http.server";
import { jsonError } from "~/http.server";

// GET /api/v1/orders/:orderId: one order with its items, personalisation, submissions, shipments.
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const caller = await requireApiCaller(request, context);
  const order = await getApiOrder(context.db, caller.shop.id, params.orderId ?? "");
  if (!order) return jsonError(404, "not_found", "There is no such order in this shop");
  return Response.json({ order });
}

export function action(_args: ActionFunctionArgs) {
  return methodNotAllowed("GET");
}
