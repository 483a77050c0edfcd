// One data request's export, as a JSON file the owner downloads and sends to the customer.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { downloadDataRequest } from "~/shops/customer-data.server";
import { requireOwner } from "~/shops/owner.server";

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const owner = await requireOwner(request, context);
  const id = z.uuid().safeParse(params.requestId);
  const row = id.success ? await downloadDataRequest(context.db, owner.shop.id, id.data) : null;
  if (!row) return new Response("No such data request", { status: 404 });
  return new Response(JSON.stringify(row.export, null, 2), {
    headers: {
      "content-type": "application/json; charset=utf-8",
      "content-disposition": `attachment; filename="customer-data-${row.cartRequestId.replace(/[^\w-]/g, "")}.json"`,
      "cache-control": "no-store",
    },
  });
}
