import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import {
  methodNotAllowed,
  outcomeResponse,
  readJsonBody,
  requireApiCaller,
} from "~/api/http.server";
import { jsonError } from "~/http.server";
import { chooseOrderStatus } from "~/orders/order-status.server";
import { actingFor } from "~/orders/core/transitions.server";

const bodySchema = z.object({
  status: z
    .string({ error: "status: the key of one of the shop's order statuses" })
    .trim()
    .min(1, { error: "status: the key of one of the shop's order statuses" })
    .max(40, { error: "status: at most 40 characters" }),
});

// PUT /api/v1/orders/:orderId/status {"status": "<key>"}: the order page's status dropdown.
export async function action({ request, params, context }: ActionFunctionArgs) {
  if (request.method !== "PUT") return methodNotAllowed("PUT");
  const caller = await requireApiCaller(request, context);
  const parsed = bodySchema.safeParse(await readJsonBody(request));
  if (!parsed.success) {
    return jsonError(400, "invalid", parsed.error.issues.map((i) => i.message).join("; "));
  }
  const outcome = await chooseOrderStatus(
    context,
    caller.shop.id,
    params.orderId ?? "",
    parsed.data.status,
    actingFor(caller),
  );
  if (!outcome.ok && outcome.code === "use_cancel_order") {
    return jsonError(409, "use_cancel_order", outcome.reason);
  }
  return outcomeResponse(outcome);
}

export function loader() {
  return methodNotAllowed("PUT");
}
