// Owner actions on one order that are more than a state change. Each asks the lifecycle table
// first (through `transition`) and refuses with its reason.
import type { AppContext } from "~/context.server";
import { submitOrder, type SubmitResult } from "~/fulfillment/submit.server";
import { LifecycleRefusal, type OrderAction } from "./lifecycle";
import { lockOrder, transition, type ActingAs } from "./orders.server";

type Ctx = Pick<AppContext, "db" | "jobs" | "config">;

export type ReprocessResult =
  | { ok: true; submit: SubmitResult | null }
  | { ok: false; reason: string }
  | { ok: false; notFound: true };

/**
 * Reprocess: retry the step that failed. The order goes back to the state it had on import and,
 * when that is New, is submitted again at once. Failed submissions are reused, with the same
 * idempotency key, so a provider that did get the first attempt recognises the retry.
 */
export async function reprocessOrder(
  ctx: Ctx,
  shopId: string,
  orderId: string,
  acting: ActingAs,
): Promise<ReprocessResult> {
  const moved = await ctx.db.transaction(async (tx) => {
    const locked = await lockOrder(tx, shopId, orderId);
    if (!locked) return { ok: false as const, notFound: true as const };
    try {
      const to = await transition(tx, locked, {
        action: "reprocess",
        acting,
        set: { alert: null },
      });
      return { ok: true as const, to };
    } catch (err) {
      if (err instanceof LifecycleRefusal) return { ok: false as const, reason: err.reason };
      throw err;
    }
  });
  if (!moved.ok) return moved;
  if (moved.to !== "new") return { ok: true, submit: null };
  return { ok: true, submit: await submitOrder(ctx, shopId, orderId, acting) };
}

/** What an owner action did, in words the owner reads; the same shape for menus, bulk and the API. */
export type ActionOutcome =
  | { ok: true; message: string; /** null once the order was deleted */ orderId: string | null }
  | {
      ok: false;
      /** not_found → 404, refused (the lifecycle or the cart said no) → 409, invalid input → 400 */
      code: "not_found" | "refused" | "invalid";
      reason: string;
      /** Field → problem, for an Edit that failed validation. */
      fieldErrors?: Record<string, string>;
    };

/**
 * One door for every owner action on one order (Actions menu, bulk actions, JSON API). `input` is
 * the action's own payload (Edit's fields), parsed here, never trusted.
 */
export async function runOrderAction(
  ctx: Ctx,
  shopId: string,
  orderId: string,
  action: OrderAction,
  acting: ActingAs,
  input?: unknown,
): Promise<ActionOutcome> {
  // TODO(order operations): every action of the table; only Reprocess exists so far.
  void input;
  if (action !== "reprocess") {
    return { ok: false, code: "refused", reason: "This action is not available yet" };
  }
  const result = await reprocessOrder(ctx, shopId, orderId, acting);
  if (result.ok) return { ok: true, message: "Reprocessed", orderId };
  if ("notFound" in result) return { ok: false, code: "not_found", reason: "No such order" };
  return { ok: false, code: "refused", reason: result.reason };
}
