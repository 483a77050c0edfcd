import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { methodNotAllowed, requireApiCaller } from "~/api/http.server";
import {
  getPurchaseOrder,
  purchaseOrderDetailJson,
} from "~/fulfillment/purchase-order-list.server";
import { jsonError } from "~/http.server";

// GET /api/v1/purchase-orders/:purchaseOrderId: one purchase order, its items, tracking, history.
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const caller = await requireApiCaller(request, context);
  const po = await getPurchaseOrder(context.db, caller.shop.id, params.purchaseOrderId ?? "");
  if (!po) return jsonError(404, "not_found", "There is no such purchase order in this shop");
  return Response.json({ purchaseOrder: purchaseOrderDetailJson(po) });
}

export function action(_args: ActionFunctionArgs) {
  return methodNotAllowed("GET");
}
