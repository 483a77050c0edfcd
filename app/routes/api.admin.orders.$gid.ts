import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { adminError, adminRoute, gidParam } from "~/api/admin-http.server";
import { loadAdminOrder, NOT_IN_ORDERLANE } from "~/orders/admin-order.server";
import type { AdminOrderResponse } from "../../extensions/shared/admin-api";

// GET /api/admin/orders/:gid: the order block on Shopify's order page (session token; CORS).
export function loader({ request, params, context }: LoaderFunctionArgs) {
  return adminRoute(request, context, ["GET"], async (caller) => {
    const order = await loadAdminOrder(context, caller, gidParam(params.gid));
    if (!order) return adminError(404, "not_in_orderlane", NOT_IN_ORDERLANE);
    return Response.json({ order } satisfies AdminOrderResponse);
  });
}

export function action({ request, context }: ActionFunctionArgs) {
  return adminRoute(request, context, ["GET"], () => Promise.reject(new Error("unreachable")));
}
