import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import {
  methodNotAllowed,
  outcomeResponse,
  readJsonBody,
  requireApiCaller,
} from "~/api/http.server";
import { noteJson } from "~/api/orders.server";
import { jsonError } from "~/http.server";
import { addOrderNote, NOTE_MAX } from "~/orders/invoice-notes.server";
import { actingFor } from "~/orders/core/transitions.server";

const noteBodySchema = z.object({
  text: z
    .string({ error: "text: the note's text" })
    .trim()
    .min(1, { error: "text: the note is empty" })
    .max(NOTE_MAX, { error: `text: at most ${NOTE_MAX} characters` }),
  visibleToCustomer: z.boolean({ error: "visibleToCustomer: true or false" }).default(false),
});

// POST /api/v1/orders/:orderId/notes {"text", "visibleToCustomer"}: the order page's Notes card.
export async function action({ request, params, context }: ActionFunctionArgs) {
  if (request.method !== "POST") return methodNotAllowed("POST");
  const caller = await requireApiCaller(request, context);
  const parsed = noteBodySchema.safeParse(await readJsonBody(request));
  if (!parsed.success) {
    return jsonError(400, "invalid", parsed.error.issues.map((i) => i.message).join("; "));
  }
  const outcome = await addOrderNote(
    context,
    caller.shop.id,
    params.orderId ?? "",
    parsed.data,
    actingFor(caller),
  );
  if (!outcome.ok) return outcomeResponse(outcome);
  return Response.json(
    { ok: true, message: outcome.message, note: noteJson(outcome.note) },
    { status: 201 },
  );
}

export async function loader(_args: LoaderFunctionArgs) {
  return methodNotAllowed("POST");
}
