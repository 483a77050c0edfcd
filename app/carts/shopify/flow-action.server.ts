// The Flow action "Submit order through Orderlane": Shopify Flow POSTs a signed JSON payload
// (X-Shopify-Hmac-SHA256: base64 HMAC-SHA256 of the raw body with the app's secret) naming the
// shop and the order; the order is submitted through runOrderAction, as the owner's Submit is.
// Flow resends a run it did not hear back from with the same action_run_id: the first complete
// answer is stored and every resend gets it again (decision 0045).
import { createHmac, timingSafeEqual } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { AppContext } from "~/context.server";
import { flowActionRuns, orders } from "~/db/schema";
import { runOrderAction } from "~/orders/actions.server";
import { findShop } from "~/shops/shops.server";

/** The action's handle, as extensions/orderlane-flow-submit-order/shopify.extension.toml names it. */
export const FLOW_SUBMIT_HANDLE = "orderlane-submit-order";

type Ctx = Pick<AppContext, "db" | "jobs" | "config" | "presence">;

/** True when `signature` is the app's HMAC of exactly these bytes. */
export function verifyFlowSignature(rawBody: string, signature: string | null, secret: string) {
  if (!signature) return false;
  const expected = createHmac("sha256", secret).update(rawBody, "utf8").digest();
  let given: Buffer;
  try {
    given = Buffer.from(signature, "base64");
  } catch {
    return false;
  }
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const idSchema = z.union([z.string(), z.number().int().nonnegative()]).transform(String);

const payloadSchema = z.object({
  shop_id: idSchema.optional(),
  shopify_domain: z.string().min(1).max(255),
  action_run_id: z.string().min(1).max(200),
  action_definition_id: z.string().optional(),
  handle: z.string().optional(),
  properties: z.object({ order_id: idSchema }).passthrough(),
});

export interface FlowAnswer {
  status: number;
  body: Record<string, unknown>;
}

const error = (status: number, code: string, message: string): FlowAnswer => ({
  status,
  body: { error: { code, message } },
});

/** "123" or "gid://shopify/Order/123" → "123". */
function cartOrderIdOf(value: string): string | null {
  const match = /^(?:gid:\/\/shopify\/Order\/)?([1-9]\d{0,19})$/.exec(value.trim());
  return match?.[1] ?? null;
}

/** Runs one signed Flow action request (already verified) and answers what Flow should hear. */
export async function runFlowSubmit(ctx: Ctx, raw: unknown): Promise<FlowAnswer> {
  const parsed = payloadSchema.safeParse(raw);
  if (!parsed.success) {
    return error(
      400,
      "invalid_request",
      "The action's payload is not Flow's (shopify_domain, action_run_id and properties.order_id are required)",
    );
  }
  const payload = parsed.data;
  if (payload.handle !== undefined && payload.handle !== FLOW_SUBMIT_HANDLE) {
    return error(400, "unknown_action", `Orderlane has no Flow action ${payload.handle}`);
  }
  const shop = await findShop(ctx.db, "shopify", payload.shopify_domain.toLowerCase());
  if (!shop) {
    return error(404, "unknown_shop", "This shop has not installed Orderlane");
  }
  const [earlier] = await ctx.db
    .select({ status: flowActionRuns.status, body: flowActionRuns.body })
    .from(flowActionRuns)
    .where(
      and(
        eq(flowActionRuns.shopId, shop.id),
        eq(flowActionRuns.actionRunId, payload.action_run_id),
      ),
    )
    .limit(1);
  if (earlier) return earlier;

  const cartOrderId = cartOrderIdOf(payload.properties.order_id);
  const answer = cartOrderId
    ? await submit(ctx, shop.id, cartOrderId)
    : error(400, "invalid_request", "properties.order_id is not a Shopify order id");
  // First complete answer wins: a concurrent resend that finished first is answered the same.
  await ctx.db
    .insert(flowActionRuns)
    .values({
      shopId: shop.id,
      actionRunId: payload.action_run_id,
      cartOrderId: cartOrderId ?? payload.properties.order_id.slice(0, 40),
      status: answer.status,
      body: answer.body,
    })
    .onConflictDoNothing();
  const [stored] = await ctx.db
    .select({ status: flowActionRuns.status, body: flowActionRuns.body })
    .from(flowActionRuns)
    .where(
      and(
        eq(flowActionRuns.shopId, shop.id),
        eq(flowActionRuns.actionRunId, payload.action_run_id),
      ),
    )
    .limit(1);
  return stored ?? answer;
}

async function submit(ctx: Ctx, shopId: string, cartOrderId: string): Promise<FlowAnswer> {
  const [order] = await ctx.db
    .select({ id: orders.id, number: orders.cartOrderNumber })
    .from(orders)
    .where(and(eq(orders.shopId, shopId), eq(orders.cartOrderId, cartOrderId)))
    .limit(1);
  if (!order) {
    return error(
      404,
      "not_in_orderlane",
      `Order ${cartOrderId} is not in Orderlane; import it first (Orderlane › Import)`,
    );
  }
  const outcome = await runOrderAction(ctx, shopId, order.id, "submit", {
    actor: "owner",
    name: "Shopify Flow",
  });
  if (outcome.ok) {
    return { status: 200, body: { ok: true, outcome: "submitted", message: outcome.message } };
  }
  // Submitted before (by its countdown, the owner or an earlier run): nothing to do, not a failure.
  if (outcome.alreadyDone) {
    return {
      status: 200,
      body: { ok: true, outcome: "already_submitted", message: outcome.reason },
    };
  }
  if (outcome.code === "not_found") {
    return error(404, "not_in_orderlane", `Order ${order.number} is no longer in Orderlane`);
  }
  // Any other 4xx makes Flow mark the step failed without retrying: the reason is final until the
  // owner acts, and Flow's run log shows it.
  return error(outcome.code === "invalid" ? 400 : 409, "refused", outcome.reason);
}
