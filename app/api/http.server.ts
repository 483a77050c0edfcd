// The JSON API's edges: who is calling (Bearer token), reading a JSON body safely, and turning an
// owner action's outcome into a status code. Errors are always { error: { code, message } }.
import { z } from "zod";
import type { AppContext } from "~/context.server";
import { jsonError } from "~/http.server";
import { OUTCOME_STATUS, type ActionOutcome } from "~/orders/outcome.server";
import type { OrderAction } from "~/orders/core/lifecycle";
import { ApiAuthError, authenticateApiRequest, type ApiCaller } from "~/shops/api-tokens.server";

/** The API's bodies are small (an Edit's fields); anything bigger is a mistake or an attack. */
export const API_MAX_BODY_BYTES = 64 * 1024;

/** The caller, or throws the 401 response to send. */
export async function requireApiCaller(request: Request, ctx: AppContext): Promise<ApiCaller> {
  try {
    return await authenticateApiRequest(
      ctx,
      request.headers.get("authorization"),
      new URL(request.url).searchParams.get("shop"),
    );
  } catch (err) {
    if (!(err instanceof ApiAuthError)) throw err;
    const res = jsonError(401, "unauthorized", err.message);
    res.headers.set("WWW-Authenticate", 'Bearer realm="orderlane"');
    throw res;
  }
}

/**
 * The request's JSON body, or throws the 4xx to send. An empty body is `undefined`, for actions
 * that need no input. Read as a stream so a body without a declared length is capped too.
 */
export async function readJsonBody(request: Request): Promise<unknown> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > API_MAX_BODY_BYTES) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > API_MAX_BODY_BYTES) {
        await reader.cancel();
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw jsonError(400, "invalid_json", "The request body is not valid JSON");
  }
}

function tooLarge(): Response {
  return jsonError(
    413,
    "body_too_large",
    `The request body is larger than ${API_MAX_BODY_BYTES / 1024} KiB`,
  );
}

/** Action names in API paths, hyphenated as URLs usually are. */
export const API_ACTIONS = {
  reprocess: "reprocess",
  edit: "edit",
  reset: "reset",
  archive: "archive",
  delete: "delete",
  "force-delete": "force_delete",
  schedule: "schedule_process",
  revalidate: "revalidate",
  "update-at-provider": "update_at_provider",
  "cancel-and-resend": "cancel_and_resend",
  "keep-as-sent": "keep_as_sent",
} as const satisfies Record<string, OrderAction>;

export const apiActionSchema = z.enum(
  Object.keys(API_ACTIONS) as [keyof typeof API_ACTIONS, ...(keyof typeof API_ACTIONS)[]],
);

export function outcomeResponse(outcome: ActionOutcome): Response {
  if (outcome.ok)
    return Response.json({ ok: true, message: outcome.message, orderId: outcome.orderId });
  const status = OUTCOME_STATUS[outcome.code];
  return Response.json(
    {
      error: {
        code: outcome.code,
        message: outcome.reason,
        ...(outcome.fieldErrors ? { fieldErrors: outcome.fieldErrors } : {}),
      },
    },
    { status },
  );
}

export function methodNotAllowed(allowed: string): Response {
  const res = jsonError(405, "method_not_allowed", `Use ${allowed}`);
  res.headers.set("Allow", allowed);
  return res;
}
