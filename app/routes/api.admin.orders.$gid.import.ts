import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { adminError, adminRoute, gidParam } from "~/api/admin-http.server";
import { importByGid } from "~/orders/admin-order.server";
import type { AdminImportResponse } from "../../extensions/shared/admin-api";

// POST /api/admin/orders/:gid/import: "Import this order" on an order Orderlane does not know.
export function action({ request, params, context }: ActionFunctionArgs) {
  return adminRoute(request, context, ["POST"], async (caller) => {
    const outcome = await importByGid(context, caller, gidParam(params.gid));
    if (!outcome.ok) return adminError(outcome.status, outcome.code, outcome.message);
    return Response.json(
      { ok: true, runId: outcome.runId, message: outcome.message } satisfies AdminImportResponse,
      { status: 202 },
    );
  });
}

// Remix hands OPTIONS (the preflight) to the loader.
export function loader({ request, context }: LoaderFunctionArgs) {
  return adminRoute(request, context, ["POST"], () => Promise.reject(new Error("unreachable")));
}
