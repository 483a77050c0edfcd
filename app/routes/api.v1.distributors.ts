import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { methodNotAllowed, requireApiCaller } from "~/api/http.server";
import { jsonError } from "~/http.server";
import { listDistributors } from "~/fulfillment/dropship/distributors.server";

// GET /api/v1/distributors: the shop's distributors, each with its feed's protocol, schedule and
// last run.
export async function loader({ request, context }: LoaderFunctionArgs) {
  const caller = await requireApiCaller(request, context);
  const unknown = [...new URL(request.url).searchParams.keys()].filter((k) => k !== "shop");
  if (unknown.length > 0) {
    return jsonError(400, "invalid", `Unknown query parameter ${unknown.join(", ")}`);
  }
  const distributors = await listDistributors(context, caller.shop.id);
  return Response.json({
    distributors: distributors.map((d) => ({
      id: d.id,
      name: d.name,
      enabled: d.enabled,
      feed: d.feed
        ? {
            protocol: d.feed.protocol,
            mode: d.feed.mode,
            schedule: { hourOfDay: d.feed.schedule.hour, timezone: d.feed.schedule.timezone },
            lastSuccessAt: d.feed.lastSuccessAt,
            alert: d.feed.alert?.message ?? null,
            lastRun: d.feed.lastRun
              ? {
                  id: d.feed.lastRun.id,
                  status: d.feed.lastRun.status,
                  trigger: d.feed.lastRun.trigger,
                  startedAt: d.feed.lastRun.startedAt,
                  finishedAt: d.feed.lastRun.finishedAt,
                  rowsRead: d.feed.lastRun.rowsRead,
                  rowsChanged: d.feed.lastRun.rowsChanged,
                  rowsRejected: d.feed.lastRun.rowsRejected,
                  error: d.feed.lastRun.error,
                  stockPush: d.feed.lastRun.stockPush ?? null,
                }
              : null,
          }
        : null,
    })),
  });
}

export function action(_args: ActionFunctionArgs) {
  return methodNotAllowed("GET");
}
