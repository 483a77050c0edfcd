import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { adminError, adminRoute, gidParam } from "~/api/admin-http.server";
import { runAdminAction } from "~/orders/admin-order.server";
import { ADMIN_ACTIONS, type AdminActionResponse } from "../../extensions/shared/admin-api";

const actionSchema = z.enum(["submit", "hold", "release"]);

// POST /api/admin/orders/:gid/actions/:action: Submit now, Hold, Release from the admin.
export function action({ request, params, context }: ActionFunctionArgs) {
  return adminRoute(request, context, ["POST"], async (caller) => {
    const name = actionSchema.safeParse(params.action);
    if (!name.success) {
      return adminError(
        404,
        "unknown_action",
        `No action ${params.action ?? ""}; the actions are ${ADMIN_ACTIONS.join(", ")}`,
      );
    }
    const outcome = await runAdminAction(context, caller, gidParam(params.gid), name.data);
    if (!outcome.ok) return adminError(outcome.status, outcome.code, outcome.message);
    return Response.json({
      ok: true,
      action: name.data,
      message: outcome.message,
      order: outcome.order,
    } satisfies AdminActionResponse);
  });
}

// Remix hands OPTIONS (the preflight) to the loader.
export function loader({ request, context }: LoaderFunctionArgs) {
  return adminRoute(request, context, ["POST"], () => Promise.reject(new Error("unreachable")));
}
