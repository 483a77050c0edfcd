import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { catalogOrderJson } from "~/api/orders.server";
import { methodNotAllowed, requireApiCaller } from "~/api/http.server";
import { jsonError } from "~/http.server";
import { ordersWithEligibleItems } from "~/fulfillment/dropship/eligibility.server";
import { ALERT_CODES } from "~/orders/core/alerts";
import { InvalidCursorError, listCatalog } from "~/orders/catalog.server";
import { CART_STATUSES, LIFECYCLE_STATES, ORDER_TYPES } from "~/orders/core/model";

const querySchema = z
  .object({
    search: z.string().trim().max(100, "search is at most 100 characters").optional(),
    type: z.enum(ORDER_TYPES, { message: `type is one of ${ORDER_TYPES.join(", ")}` }).optional(),
    status: z
      .enum(CART_STATUSES, { message: `status is one of ${CART_STATUSES.join(", ")}` })
      .optional(),
    state: z
      .enum(LIFECYCLE_STATES, { message: `state is one of ${LIFECYCLE_STATES.join(", ")}` })
      .optional(),
    orderStatus: z
      .string()
      .regex(/^[a-z0-9_]{1,40}$/, "orderStatus is the key of one of the shop's order statuses")
      .optional(),
    alert: z.enum(ALERT_CODES, { message: "alert is an alert code (see the API docs)" }).optional(),
    dropshipEligible: z
      .enum(["true", "false"], { message: "dropshipEligible is true or false" })
      .transform((v) => v === "true")
      .optional(),
    cursor: z.string().max(500).optional(),
    limit: z.coerce
      .number({ message: "limit is a number from 1 to 100" })
      .int("limit is a number from 1 to 100")
      .min(1, "limit is a number from 1 to 100")
      .max(100, "limit is a number from 1 to 100")
      .optional(),
    shop: z.string().optional(),
  })
  .strict();

// GET /api/v1/orders: the catalog, newest first, with the catalog's search and filters.
export async function loader({ request, context }: LoaderFunctionArgs) {
  const caller = await requireApiCaller(request, context);
  const params = Object.fromEntries(
    [...new URL(request.url).searchParams].filter(([, value]) => value !== ""),
  );
  const query = querySchema.safeParse(params);
  if (!query.success) {
    const issue = query.error.issues[0];
    const message =
      issue?.code === "unrecognized_keys"
        ? `Unknown query parameter ${issue.keys.join(", ")}`
        : (issue?.message ?? "Invalid query");
    return jsonError(400, "invalid", message);
  }
  // Filters go to the catalog query as they are; the catalog page and the API share one query.
  const filters = {
    search: query.data.search,
    type: query.data.type,
    status: query.data.status,
    state: query.data.state,
    orderStatus: query.data.orderStatus,
    alert: query.data.alert,
    dropshipEligible: query.data.dropshipEligible,
    cursor: query.data.cursor ?? null,
    limit: query.data.limit,
  };
  try {
    const page = await listCatalog(context.db, caller.shop.id, filters);
    const eligible = await ordersWithEligibleItems(
      context.db,
      caller.shop.id,
      page.orders.map((o) => o.id),
    );
    return Response.json({
      orders: page.orders.map((o) => ({
        ...catalogOrderJson(o),
        dropshipEligible: eligible.has(o.id),
      })),
      nextCursor: page.nextCursor,
    });
  } catch (err) {
    if (err instanceof InvalidCursorError) return jsonError(400, "invalid_cursor", err.message);
    throw err;
  }
}

export function action(_args: ActionFunctionArgs) {
  return methodNotAllowed("GET");
}
