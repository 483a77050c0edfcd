import type { ActionFunctionArgs } from "@remix-run/node";
import { methodNotAllowed, outcomeResponse, requireApiCaller } from "~/api/http.server";
import { runOrderAction } from "~/orders/actions.server";
import { actingFor } from "~/orders/core/transitions.server";

// POST /api/v1/orders/:orderId/submit: the same submission as the Submit Order button.
export async function action({ request, params, context }: ActionFunctionArgs) {
  if (request.method !== "POST") return methodNotAllowed("POST");
  const caller = await requireApiCaller(request, context);
  const outcome = await runOrderAction(
    context,
    caller.shop.id,
    params.orderId ?? "",
    "submit",
    actingFor(caller),
  );
  return outcomeResponse(outcome);
}

export function loader() {
  return methodNotAllowed("POST");
}
