import type { ActionFunctionArgs } from "@remix-run/node";
import {
  methodNotAllowed,
  outcomeResponse,
  readJsonBody,
  requireApiCaller,
} from "~/api/http.server";
import { actingFor } from "~/orders/core/transitions.server";
import { changeItem } from "~/orders/shipments.server";

// PATCH /api/v1/orders/:orderId/items/:lineId: one item's delivery state, tracking or method.
export async function action({ request, params, context }: ActionFunctionArgs) {
  if (request.method !== "PATCH") return methodNotAllowed("PATCH");
  const caller = await requireApiCaller(request, context);
  const input = await readJsonBody(request);
  const outcome = await changeItem(
    context,
    caller.shop.id,
    params.orderId ?? "",
    params.lineId ?? "",
    input,
    actingFor(caller),
  );
  return outcomeResponse(outcome);
}

export function loader() {
  return methodNotAllowed("PATCH");
}
