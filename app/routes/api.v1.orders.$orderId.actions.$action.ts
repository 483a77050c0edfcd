import type { ActionFunctionArgs } from "@remix-run/node";
import {
  API_ACTIONS,
  apiActionSchema,
  methodNotAllowed,
  outcomeResponse,
  readJsonBody,
  requireApiCaller,
} from "~/api/http.server";
import { jsonError } from "~/http.server";
import { runOrderAction } from "~/orders/actions.server";
import { actingFor } from "~/orders/core/transitions.server";

// POST /api/v1/orders/:orderId/actions/:action: the order page's Actions menu, for integrations.
export async function action({ request, params, context }: ActionFunctionArgs) {
  if (request.method !== "POST") return methodNotAllowed("POST");
  const caller = await requireApiCaller(request, context);
  const name = apiActionSchema.safeParse(params.action);
  if (!name.success) {
    return jsonError(
      404,
      "unknown_action",
      `No action ${params.action ?? ""}; the actions are ${Object.keys(API_ACTIONS).join(", ")}`,
    );
  }
  const input = await readJsonBody(request);
  const outcome = await runOrderAction(
    context,
    caller.shop.id,
    params.orderId ?? "",
    API_ACTIONS[name.data],
    actingFor(caller),
    input,
  );
  return outcomeResponse(outcome);
}

export function loader() {
  return methodNotAllowed("POST");
}
