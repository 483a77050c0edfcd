import type { ActionFunctionArgs } from "@remix-run/node";
import { methodNotAllowed, readJsonBody, requireApiCaller } from "~/api/http.server";
import { dropshipInputSchema, placeDropshipOrder } from "~/fulfillment/dropship/place.server";
import { describeZodError } from "~/fulfillment/protocol";
import { jsonError } from "~/http.server";
import { actingFor } from "~/orders/core/transitions.server";

// POST /api/v1/orders/:orderId/dropship: the Dropship form's purchase order, placed exactly once.
export async function action({ request, params, context }: ActionFunctionArgs) {
  if (request.method !== "POST") return methodNotAllowed("POST");
  const caller = await requireApiCaller(request, context);
  const body = await readJsonBody(request);
  const parsed = dropshipInputSchema.safeParse(body ?? {});
  if (!parsed.success) {
    const unconfirmed = parsed.error.issues.some((issue) => issue.path[0] === "confirm");
    return jsonError(
      400,
      unconfirmed ? "confirmation_required" : "invalid_request",
      describeZodError(parsed.error),
    );
  }
  const result = await placeDropshipOrder(
    context,
    caller.shop.id,
    params.orderId ?? "",
    parsed.data,
    actingFor(caller),
  );
  if (!result.ok) {
    return Response.json(
      {
        error: {
          code: result.code,
          message: result.message,
          ...(result.problems ? { problems: result.problems } : {}),
        },
      },
      { status: result.status },
    );
  }
  return Response.json(
    { purchaseOrders: result.purchaseOrders, replayed: result.replayed },
    { status: result.replayed ? 200 : 201 },
  );
}

export function loader() {
  return methodNotAllowed("POST");
}
