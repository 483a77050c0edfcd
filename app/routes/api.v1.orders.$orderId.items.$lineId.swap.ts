import type { ActionFunctionArgs } from "@remix-run/node";
import { methodNotAllowed, readJsonBody, requireApiCaller } from "~/api/http.server";
import { swapInputSchema, swapItemSku } from "~/fulfillment/dropship/swap.server";
import { describeZodError } from "~/fulfillment/protocol";
import { jsonError } from "~/http.server";
import { actingFor } from "~/orders/core/transitions.server";

// POST /api/v1/orders/:orderId/items/:lineId/swap: the item goes to another distributor's SKU.
export async function action({ request, params, context }: ActionFunctionArgs) {
  if (request.method !== "POST") return methodNotAllowed("POST");
  const caller = await requireApiCaller(request, context);
  const parsed = swapInputSchema.safeParse((await readJsonBody(request)) ?? {});
  if (!parsed.success) return jsonError(400, "invalid_request", describeZodError(parsed.error));
  const result = await swapItemSku(
    context,
    caller.shop.id,
    params.orderId ?? "",
    params.lineId ?? "",
    parsed.data,
    actingFor(caller),
  );
  if (!result.ok) return jsonError(result.status, result.code, result.message);
  return Response.json({ ok: true, message: result.message });
}

export function loader() {
  return methodNotAllowed("POST");
}
