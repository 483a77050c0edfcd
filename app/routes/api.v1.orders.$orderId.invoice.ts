import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import {
  methodNotAllowed,
  outcomeResponse,
  readJsonBody,
  requireApiCaller,
} from "~/api/http.server";
import { jsonError } from "~/http.server";
import { INVOICE_MAX, saveInvoiceNumber } from "~/orders/invoice-notes.server";
import { actingFor } from "~/orders/core/transitions.server";

const invoiceBodySchema = z.object({
  invoiceNumber: z
    .string({ error: "invoiceNumber: text, or null to remove it" })
    .max(INVOICE_MAX, { error: `invoiceNumber: at most ${INVOICE_MAX} characters` })
    .refine((s) => ![...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f), {
      error: "invoiceNumber: no control characters",
    })
    .nullable(),
});

// PUT /api/v1/orders/:orderId/invoice {"invoiceNumber": "…"}: Save Invoice.
export async function action({ request, params, context }: ActionFunctionArgs) {
  if (request.method !== "PUT") return methodNotAllowed("PUT");
  const caller = await requireApiCaller(request, context);
  const parsed = invoiceBodySchema.safeParse(await readJsonBody(request));
  if (!parsed.success) {
    return jsonError(400, "invalid", parsed.error.issues.map((i) => i.message).join("; "));
  }
  const outcome = await saveInvoiceNumber(
    context,
    caller.shop.id,
    params.orderId ?? "",
    parsed.data.invoiceNumber,
    actingFor(caller),
  );
  return outcomeResponse(outcome);
}

export function loader() {
  return methodNotAllowed("PUT");
}
