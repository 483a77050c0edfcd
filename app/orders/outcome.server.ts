// What an owner action did to one order, in one shape for every door: the order page, bulk
// actions, the JSON API and the cart-status control all shape their answer from it the same way.
import type { Tx } from "~/db/client.server";
import type { OrderAction } from "~/orders/core/lifecycle";
import { LifecycleRefusal } from "~/orders/core/lifecycle";
import { openForAction, type ActingAs, type LockedOrder } from "~/orders/core/transitions.server";
import type { OrderFacts } from "~/orders/core/lifecycle";
import type { AppContext } from "~/context.server";

export type ActionOutcome =
  | {
      ok: true;
      message: string;
      /** null once the order was deleted */
      orderId: string | null;
      /** The deleted order's number, for the page the owner lands on. */
      deletedNumber?: string;
    }
  | {
      ok: false;
      /** not_found → 404, refused (the lifecycle or the cart said no) → 409, invalid input → 400 */
      code: "not_found" | "refused" | "invalid";
      reason: string;
      /** Field → problem, for an Edit that failed validation. */
      fieldErrors?: Record<string, string>;
      /**
       * Refused because it was already done (a second Submit): bulk actions count these apart, as
       * skipped rather than failed.
       */
      alreadyDone?: true;
    };

/** The HTTP status every door answers a refused action with. */
export const OUTCOME_STATUS = { not_found: 404, refused: 409, invalid: 400 } as const;

export const NOT_FOUND: ActionOutcome = {
  ok: false,
  code: "not_found",
  reason: "There is no such order in this shop; it may have been deleted.",
};

export const refused = (reason: string): ActionOutcome => ({ ok: false, code: "refused", reason });

export function succeeded(orderId: string | null, message: string): ActionOutcome {
  return { ok: true, message, orderId };
}

/**
 * Runs `body` on the order once it is locked and the lifecycle table allows `action`; a refusal,
 * from the table or from `body`, rolls the transaction back and becomes the outcome.
 */
export async function onLockedOrder(
  ctx: Pick<AppContext, "db">,
  shopId: string,
  orderId: string,
  action: OrderAction,
  acting: ActingAs,
  body: (tx: Tx, locked: LockedOrder, facts: OrderFacts) => Promise<ActionOutcome>,
): Promise<ActionOutcome> {
  try {
    return await ctx.db.transaction(async (tx) => {
      const opened = await openForAction(tx, shopId, orderId, action, acting);
      if (!opened.ok) return opened.notFound ? NOT_FOUND : refused(opened.reason);
      const outcome = await body(tx, opened.locked, opened.facts);
      // Anything but success must leave the order as it was.
      if (!outcome.ok) throw new Rollback(outcome);
      return outcome;
    });
  } catch (err) {
    if (err instanceof Rollback) return err.outcome;
    if (err instanceof LifecycleRefusal) return refused(err.reason);
    throw err;
  }
}

class Rollback extends Error {
  constructor(readonly outcome: ActionOutcome) {
    super("rolled back");
  }
}
