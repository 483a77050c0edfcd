import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { methodNotAllowed, requireApiCaller } from "~/api/http.server";
import {
  BadCursorError,
  listPurchaseOrders,
  purchaseOrderJson,
  purchaseOrderQuerySchema,
} from "~/fulfillment/purchase-order-list.server";
import { describeZodError } from "~/fulfillment/protocol";
import { jsonError } from "~/http.server";

// GET /api/v1/purchase-orders?search=&distributor=&shipped=&cursor=: the shop's purchase orders.
export async function loader({ request, context }: LoaderFunctionArgs) {
  const caller = await requireApiCaller(request, context);
  const params = Object.fromEntries(
    [...new URL(request.url).searchParams].filter(([key, value]) => key !== "shop" && value !== ""),
  );
  const parsed = purchaseOrderQuerySchema.safeParse(params);
  if (!parsed.success) return jsonError(400, "invalid_query", describeZodError(parsed.error));
  try {
    const page = await listPurchaseOrders(context.db, caller.shop.id, parsed.data);
    return Response.json({
      purchaseOrders: page.purchaseOrders.map(purchaseOrderJson),
      nextCursor: page.nextCursor,
    });
  } catch (err) {
    if (err instanceof BadCursorError) return jsonError(400, "invalid_cursor", err.message);
    throw err;
  }
}

export function action(_args: ActionFunctionArgs) {
  return methodNotAllowed("GET");
}
