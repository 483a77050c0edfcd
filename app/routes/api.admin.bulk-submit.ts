import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { adminError, adminRoute } from "~/api/admin-http.server";
import { readJsonBody } from "~/api/http.server";
import { bulkSubmitByGid } from "~/orders/admin-order.server";
import { BULK_SUBMIT_MAX } from "../../extensions/shared/admin-api";

const bodySchema = z.object({
  orders: z
    .array(z.string().max(100), { message: "orders is a list of Shopify order ids" })
    .min(1, "Select at least one order")
    .max(BULK_SUBMIT_MAX, `Select at most ${BULK_SUBMIT_MAX} orders at a time`),
});

// POST /api/admin/bulk-submit: Submit through Orderlane on Shopify's order list selection.
export function action({ request, context }: ActionFunctionArgs) {
  return adminRoute(request, context, ["POST"], async (caller) => {
    const parsed = bodySchema.safeParse(await readJsonBody(request));
    if (!parsed.success) {
      return adminError(
        400,
        "invalid_request",
        parsed.error.issues[0]?.message ?? "Send { orders: [order ids] }",
      );
    }
    const outcome = await bulkSubmitByGid(context, caller, parsed.data.orders);
    if (!outcome.ok) return adminError(outcome.status, outcome.code, outcome.message);
    return Response.json(outcome.response);
  });
}

// Remix hands OPTIONS (the preflight) to the loader.
export function loader({ request, context }: LoaderFunctionArgs) {
  return adminRoute(request, context, ["POST"], () => Promise.reject(new Error("unreachable")));
}
