import type { ActionFunctionArgs } from "@remix-run/node";
import {
  methodNotAllowed,
  outcomeResponse,
  readJsonBody,
  requireApiCaller,
} from "~/api/http.server";
import { actingFor } from "~/orders/core/transitions.server";
import { updateShipment } from "~/orders/shipments.server";

// POST /api/v1/orders/:orderId/shipments: Update Shipment, as the order page's modal does it.
export async function action({ request, params, context }: ActionFunctionArgs) {
  if (request.method !== "POST") return methodNotAllowed("POST");
  const caller = await requireApiCaller(request, context);
  const input = await readJsonBody(request);
  const outcome = await updateShipment(
    context,
    caller.shop.id,
    params.orderId ?? "",
    input,
    actingFor(caller),
  );
  return outcomeResponse(outcome);
}

export function loader() {
  return methodNotAllowed("POST");
}
