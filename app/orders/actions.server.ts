// Owner actions on one order (Actions menu, bulk actions, JSON API). Each locks the order, asks the
// lifecycle table (through `transition`, or `decide` for the two that remove the row) and refuses
// with the table's reason; the change and its timeline row are written in one transaction.
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { AppContext } from "~/context.server";
import type { Tx } from "~/db/client.server";
import { lineItems, orders, submissions } from "~/db/schema";
import { submitOrder, planSubmissions, type SubmitResult } from "~/fulfillment/submit.server";
import type { ValidationProblem } from "~/fulfillment/provider";
import {
  countdownBlocker,
  holdOrder,
  releaseOrder,
  restartCountdown,
  startCountdown,
} from "./countdown.server";
import { addTimelineEntry } from "~/orders/core/timeline.server";
import { ACTION_LABELS, type OrderAction } from "~/orders/core/lifecycle";
import type {
  Address,
  LifecycleState,
  ManualEdits,
  OrderAlert,
  Personalization,
} from "~/orders/core/model";
import {
  EDITABLE_FIELDS,
  normaliseAddress,
  parseOrderEdit,
  type EditableField,
  editedFieldWords,
} from "./order-edit";
import {
  transition,
  type ActingAs,
  type LockedOrder,
  type OrderRow,
} from "~/orders/core/transitions.server";
import { refreshOrderSummary } from "~/orders/core/summary.server";
import { alertOf } from "~/orders/core/alerts";
import { shopSettings } from "~/orders/core/shop-settings";
import { answerCartChange } from "./changed-after-sent.server";
import { customerPlace as placeOf } from "~/orders/core/places";
import { formatOrderTime } from "~/ui/format";
import { NOT_FOUND, onLockedOrder, refused, succeeded, type ActionOutcome } from "./outcome.server";

type Ctx = Pick<AppContext, "db" | "jobs" | "config" | "presence">;

const orderIdSchema = z.uuid();

/**
 * One door for every owner action on one order (Actions menu, bulk actions, JSON API). `input` is
 * the action's own payload (Edit's fields, Force Delete's confirmation), parsed here, never trusted.
 */
export async function runOrderAction(
  ctx: Ctx,
  shopId: string,
  orderId: string,
  action: OrderAction,
  acting: ActingAs,
  input?: unknown,
): Promise<ActionOutcome> {
  // Not a uuid cannot be one of our orders; asking the database would only raise a type error.
  if (!orderIdSchema.safeParse(orderId).success) return NOT_FOUND;
  switch (action) {
    case "submit":
      return submitOutcome(orderId, await submitOrder(ctx, shopId, orderId, acting));
    case "reprocess":
      return reprocessOrder(ctx, shopId, orderId, acting);
    case "edit":
      return editOrder(ctx, shopId, orderId, acting, input);
    case "reset":
      return resetOrder(ctx, shopId, orderId, acting);
    case "archive":
      return archiveOrder(ctx, shopId, orderId, acting);
    case "delete":
    case "force_delete":
      return deleteOrder(ctx, shopId, orderId, action, acting, input);
    case "schedule_process":
      return scheduleProcess(ctx, shopId, orderId, acting);
    case "revalidate":
      return revalidateOrder(ctx, shopId, orderId, acting);
    case "hold":
      return holdOrder(ctx, shopId, orderId, acting);
    case "release":
      return releaseOrder(ctx, shopId, orderId, acting);
    case "update_at_provider":
    case "cancel_and_resend":
    case "keep_as_sent":
      return answerCartChange(ctx, shopId, orderId, action, acting, input);
    case "dropship":
      return refused(
        "Dropship needs the purchase order's details: use the Dropship form, or POST /api/v1/orders/:id/dropship.",
      );
    case "cancel_order":
      return refused(
        'Cancel Order needs a reason and whether to email the customer: use Cancel Order on the order page, or POST /api/v1/orders/:id/cancel {"reason", "notifyCustomer"}.',
      );
    case "update_shipment":
    case "fail_validation":
    case "provider_reject":
    case "close":
    case "abandon":
    case "cart_delete":
      return refused(
        `${ACTION_LABELS[action]} is not an action the owner takes here; it happens when the order's cart, provider or validation says so.`,
      );
  }
}

/** Submit's own result, in the words and shape every owner action answers with. */
function submitOutcome(orderId: string, result: SubmitResult): ActionOutcome {
  switch (result.outcome) {
    case "submitted":
      return succeeded(
        orderId,
        `Order submitted to ${result.submissions} provider${result.submissions === 1 ? "" : "s"}`,
      );
    case "not_found":
      return NOT_FOUND;
    case "already_submitted":
      return { ok: false, code: "refused", reason: result.reason, alreadyDone: true };
    case "refused":
      return refused(result.reason);
    case "invalid":
      return refused(
        `Not submitted: the order did not pass validation and is now in Error: ${problemText(result.problems)}`,
      );
  }
}

/**
 * Reprocess: retry the step that failed. The order goes back to the state it had on import. When
 * that is New and something was sent before, the send is retried at once: failed submissions are
 * reused with the same idempotency key, so a provider that did get the first attempt recognises
 * the retry. An order never sent (archived, or stopped by validation) counts down again instead,
 * from the time it had left, so Reprocess never skips the owner's review window.
 */
async function reprocessOrder(
  ctx: Ctx,
  shopId: string,
  orderId: string,
  acting: ActingAs,
): Promise<ActionOutcome> {
  let retrySend = false;
  const moved = await onLockedOrder(
    ctx,
    shopId,
    orderId,
    "reprocess",
    acting,
    async (tx, locked, facts) => {
      const to = await transition(tx, locked, {
        action: "reprocess",
        acting,
        facts,
        set: { alert: null },
      });
      if (to === "open") {
        return succeeded(
          orderId,
          "Reprocessed: Open again; its providers are asked about it again",
        );
      }
      if (to !== "new") return succeeded(orderId, "Reprocessed: back in processing");
      if (facts.anythingSent) {
        retrySend = true;
        return succeeded(orderId, "Reprocessed");
      }
      const dueAt = await restartCountdown(ctx, tx, { ...locked.order, state: to }, locked.shop);
      return succeeded(
        orderId,
        dueAt ? "Reprocessed: back to New, counting down again" : "Reprocessed: back to New",
      );
    },
  );
  if (!moved.ok || !retrySend) return moved;
  const submitted = await submitOrder(ctx, shopId, orderId, acting);
  switch (submitted.outcome) {
    case "submitted":
      return succeeded(orderId, "Reprocessed and submitted again");
    case "invalid":
      return succeeded(
        orderId,
        `Reprocessed, but the order is in Error again: ${problemText(submitted.problems)}`,
      );
    case "not_found":
      return NOT_FOUND;
    default:
      return succeeded(orderId, `Reprocessed; not submitted yet: ${submitted.reason}`);
  }
}

function problemText(problems: ValidationProblem[]): string {
  return problems.map((p) => p.message).join("; ");
}

// ---- Edit -------------------------------------------------------------------------------------

const FIELD_COLUMNS = {
  customerName: "customerName",
  customerEmail: "customerEmail",
  shippingAddress: "shippingAddress",
  billingAddress: "billingAddress",
  paymentMethod: "paymentMethod",
  shippingMethod: "shippingMethod",
  note: "note",
} as const satisfies Record<EditableField, keyof OrderRow>;

type EditableValues = Pick<OrderRow, (typeof FIELD_COLUMNS)[EditableField]>;

/** Equal as stored values: jsonb reorders keys, and a missing part equals a null one. */
function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== "object") return value;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined && v !== null)
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => [k, canonical(v)]);
  return Object.fromEntries(entries);
}

/** The catalog's place columns, by the same rule as when the cart sends the order. */
function customerPlace(values: Pick<OrderRow, "billingAddress" | "shippingAddress">) {
  return placeOf(values.shippingAddress ?? null, values.billingAddress ?? null);
}

async function editOrder(
  ctx: Ctx,
  shopId: string,
  orderId: string,
  acting: ActingAs,
  input: unknown,
): Promise<ActionOutcome> {
  const parsed = parseOrderEdit(input);
  // The table first: an edit to a sent order is refused whatever it contains.
  return onLockedOrder(ctx, shopId, orderId, "edit", acting, async (tx, locked, facts) => {
    const { order } = locked;
    if (!parsed.ok) {
      return {
        ok: false,
        code: "invalid",
        reason: "Some fields need fixing",
        fieldErrors: parsed.fieldErrors,
      };
    }
    const edit = parsed.edit;
    const changes: Partial<EditableValues> = {};
    for (const field of EDITABLE_FIELDS) {
      if (!(field in edit) || edit[field] === undefined) continue;
      let value = edit[field] as EditableValues[typeof field];
      if ((field === "shippingAddress" || field === "billingAddress") && value) {
        value = normaliseAddress(value as Address);
      }
      if (!same(order[FIELD_COLUMNS[field]], value)) {
        (changes as Record<string, unknown>)[field] = value;
      }
    }
    if (Object.keys(changes).length === 0) {
      return { ok: true, message: "Nothing changed", orderId };
    }
    const edited: OrderRow = { ...order, ...changes };

    // The providers this order goes to must accept the edited recipient; checked now, rather than
    // at submission, so the owner fixes it while the form is open.
    const fieldErrors = await recipientProblems(ctx, tx, edited, locked, Object.keys(changes));
    if (fieldErrors) {
      return {
        ok: false,
        code: "invalid",
        reason: "The provider would refuse this address",
        fieldErrors,
      };
    }

    const at = new Date().toISOString();
    const by = acting.name ?? acting.actor;
    const manualEdits: ManualEdits = { ...(order.manualEdits ?? {}) };
    for (const [field, to] of Object.entries(changes)) {
      const earlier = manualEdits[field];
      const from = earlier ? earlier.from : order[FIELD_COLUMNS[field as EditableField]];
      // Edited back to what the cart says: no longer an edit, so cart updates apply to it again.
      if (same(from, to)) delete manualEdits[field];
      else manualEdits[field] = { from: from ?? null, to, at, by };
    }
    const place =
      "billingAddress" in changes || "shippingAddress" in changes ? customerPlace(edited) : {};
    await tx
      .update(orders)
      .set({
        ...changes,
        ...place,
        manualEdits: Object.keys(manualEdits).length > 0 ? manualEdits : null,
        updatedAt: new Date(),
      })
      .where(and(eq(orders.id, order.id), eq(orders.shopId, shopId)));
    const names = Object.keys(changes);
    await transition(tx, locked, {
      action: "edit",
      acting,
      facts,
      message: `Changed the ${editedFieldWords(names)}`,
      data: { fields: names },
    });
    return { ok: true, message: `Saved the ${editedFieldWords(names)}`, orderId };
  });
}

/** Field path → problem for recipient fields the routed providers would refuse; null when fine. */
async function recipientProblems(
  ctx: Ctx,
  tx: Tx,
  edited: OrderRow,
  locked: LockedOrder,
  changed: string[],
): Promise<Record<string, string> | null> {
  // The recipient is the shipping address, or the billing one when there is none.
  const addressKey = edited.shippingAddress ? "shippingAddress" : "billingAddress";
  const touchesRecipient = changed.includes(addressKey) || changed.includes("customerEmail");
  // A problem the edit did not cause (a design file missing) is for Reprocess to report, not Edit.
  if (!touchesRecipient) return null;
  const plan = await planSubmissions(ctx, tx, edited, locked.shop);
  if (plan.ok) return null;
  const errors: Record<string, string> = {};
  for (const problem of plan.problems) {
    if (!problem.field) continue;
    const isEmail = problem.field === "email";
    if (isEmail ? !changed.includes("customerEmail") : !changed.includes(addressKey)) continue;
    const key = isEmail ? "customerEmail" : `${addressKey}.${problem.field}`;
    errors[key] ??= problem.message;
  }
  return Object.keys(errors).length > 0 ? errors : null;
}

// ---- Reset, Archive, Delete --------------------------------------------------------------------

/**
 * Withdraws purchase orders that never left: those never attempted are removed (their send job
 * then finds nothing); those waiting to retry after the provider was down become failed, which no
 * worker claims and which a later submission reuses with the same idempotency key. A purchase order
 * being sent this instant cannot be stopped, so the caller refuses rather than race it.
 */
async function withdrawUnsent(tx: Tx, shopId: string, orderId: string): Promise<number> {
  const removed = await tx
    .delete(submissions)
    .where(
      and(
        eq(submissions.shopId, shopId),
        eq(submissions.orderId, orderId),
        eq(submissions.state, "pending"),
        eq(submissions.attempts, 0),
      ),
    )
    .returning({ id: submissions.id });
  const parked = await tx
    .update(submissions)
    .set({
      state: "failed",
      lastError: sql`coalesce(${submissions.lastError}, 'Withdrawn before it was sent')`,
      claimedAt: null,
      claimedBy: null,
      updatedAt: new Date(),
    })
    .where(
      and(
        eq(submissions.shopId, shopId),
        eq(submissions.orderId, orderId),
        eq(submissions.state, "pending"),
      ),
    )
    .returning({ id: submissions.id });
  return removed.length + parked.length;
}

async function sendingNow(tx: Tx, shopId: string, orderId: string): Promise<boolean> {
  const [row] = await tx
    .select({ id: submissions.id })
    .from(submissions)
    .where(
      and(
        eq(submissions.shopId, shopId),
        eq(submissions.orderId, orderId),
        eq(submissions.state, "submitting"),
      ),
    )
    .limit(1);
  return Boolean(row);
}

const SENDING_NOW =
  "A purchase order for this order is being sent right now; try again in a minute, once the provider has answered.";

async function resetOrder(
  ctx: Ctx,
  shopId: string,
  orderId: string,
  acting: ActingAs,
): Promise<ActionOutcome> {
  return onLockedOrder(ctx, shopId, orderId, "reset", acting, async (tx, locked, facts) => {
    const { order, shop } = locked;
    if (await sendingNow(tx, shopId, orderId)) return refused(SENDING_NOW);

    // Manual edits go back to what the cart says (`from` is kept current by cart updates).
    const restored: Record<string, unknown> = {};
    const restoredNames: string[] = [];
    for (const [key, entry] of Object.entries(order.manualEdits ?? {})) {
      const line = /^lineItem:(.+):personalization$/.exec(key);
      if (line) {
        await tx
          .update(lineItems)
          .set({ personalization: (entry.from ?? null) as Personalization | null })
          .where(
            and(
              eq(lineItems.shopId, shopId),
              eq(lineItems.orderId, orderId),
              eq(lineItems.cartLineId, line[1]!),
            ),
          );
        restoredNames.push(key);
      } else if (/^lineItem:.+:distributor$/.test(key)) {
        // A SKU swap: the distributor and its SKU are cleared with every item's provider below.
        restoredNames.push(key);
      } else if ((EDITABLE_FIELDS as readonly string[]).includes(key)) {
        restored[key] = entry.from ?? null;
        restoredNames.push(key);
      }
    }
    const withdrawn = await withdrawUnsent(tx, shopId, orderId);
    // Rule results: which provider makes each item is worked out again at the next submission.
    await tx
      .update(lineItems)
      .set({ providerId: null, distributorSku: null })
      .where(and(eq(lineItems.shopId, shopId), eq(lineItems.orderId, orderId)));
    const afterRestore = { ...order, ...restored } as OrderRow;
    await tx
      .update(orders)
      .set({
        ...restored,
        ...(restored.billingAddress !== undefined || restored.shippingAddress !== undefined
          ? customerPlace(afterRestore)
          : {}),
        manualEdits: null,
      })
      .where(and(eq(orders.id, orderId), eq(orders.shopId, shopId)));
    const to = await transition(tx, locked, {
      action: "reset",
      acting,
      facts,
      message: resetMessage(restoredNames.length, withdrawn),
      data: { restored: restoredNames, withdrawn },
      set: { alert: null, autoSubmitAt: null, autoSubmitRemainingMs: null },
    });
    const dueAt = await startCountdown(ctx, tx, { ...afterRestore, state: to }, shop);
    await refreshOrderSummary(tx, shopId, orderId);
    return {
      ok: true,
      message: dueAt ? "Reset: starting again, countdown restarted" : "Reset: starting again",
      orderId,
    };
  });
}

function resetMessage(restored: number, withdrawn: number): string {
  const parts = ["Started again as if just imported"];
  if (restored > 0) parts.push(`${restored} manual edit${restored === 1 ? "" : "s"} undone`);
  if (withdrawn > 0) {
    parts.push(`${withdrawn} unsent purchase order${withdrawn === 1 ? "" : "s"} withdrawn`);
  }
  return parts.join("; ");
}

async function archiveOrder(
  ctx: Ctx,
  shopId: string,
  orderId: string,
  acting: ActingAs,
): Promise<ActionOutcome> {
  return onLockedOrder(ctx, shopId, orderId, "archive", acting, async (tx, locked, facts) => {
    if (await sendingNow(tx, shopId, orderId)) return refused(SENDING_NOW);
    const { autoSubmitAt, autoSubmitRemainingMs } = locked.order;
    // The time left is kept, so a Reprocess resumes the review window rather than skipping it.
    const remaining = autoSubmitAt
      ? Math.max(0, autoSubmitAt.getTime() - Date.now())
      : autoSubmitRemainingMs;
    const withdrawn = await withdrawUnsent(tx, shopId, orderId);
    await transition(tx, locked, {
      action: "archive",
      acting,
      facts,
      message:
        withdrawn > 0
          ? `Archived; ${withdrawn} unsent purchase order${withdrawn === 1 ? "" : "s"} withdrawn`
          : "Archived",
      data: { withdrawn },
      // A stale auto-submit job finds no deadline and does nothing.
      set: { autoSubmitAt: null, autoSubmitRemainingMs: remaining },
    });
    await refreshOrderSummary(tx, shopId, orderId);
    return { ok: true, message: "Archived: processing stopped, data kept", orderId };
  });
}

const confirmSchema = z.object({ confirm: z.literal(true) });

export const FORCE_DELETE_RISK =
  "Force Delete removes the order and its purchase orders from Orderlane. Providers that already received it will still make and ship it, its tracking will no longer reach the cart, and a later import brings the order back, where it could be sent again. Send confirm: true to go ahead.";

async function deleteOrder(
  ctx: Ctx,
  shopId: string,
  orderId: string,
  action: "delete" | "force_delete",
  acting: ActingAs,
  input: unknown,
): Promise<ActionOutcome> {
  return onLockedOrder(ctx, shopId, orderId, action, acting, async (tx, locked) => {
    if (action === "force_delete" && !confirmSchema.safeParse(input).success) {
      return {
        ok: false,
        code: "invalid",
        reason: FORCE_DELETE_RISK,
        fieldErrors: { confirm: FORCE_DELETE_RISK },
      };
    }
    // The timeline goes with the row; the log keeps who removed what.
    await tx.delete(orders).where(and(eq(orders.id, orderId), eq(orders.shopId, shopId)));
    console.info(
      `[orders] ${action} of order ${locked.order.cartOrderNumber} (${orderId}) in shop ${shopId} by ${acting.actor}${acting.name ? ` ${acting.name}` : ""}`,
    );
    return {
      ok: true,
      message: `Deleted order ${locked.order.cartOrderNumber}; a later import brings it back if the cart still has it`,
      orderId: null,
      deletedNumber: locked.order.cartOrderNumber,
    };
  });
}

// ---- Schedule Process, Revalidate --------------------------------------------------------------

async function scheduleProcess(
  ctx: Ctx,
  shopId: string,
  orderId: string,
  acting: ActingAs,
): Promise<ActionOutcome> {
  return onLockedOrder(ctx, shopId, orderId, "schedule_process", acting, async (tx, locked) => {
    const { order, shop } = locked;
    const to = await transition(tx, locked, { action: "schedule_process", acting });
    // Scheduling is the owner's go-ahead for this order: it counts down as it would in automatic
    // mode, when it is an in-app order the cart marks paid.
    const asAutomatic = {
      ...shop,
      settings: { ...shopSettings(shop), processingMode: "automatic" as const },
    };
    const scheduled = { ...order, state: to };
    const dueAt = await startCountdown(ctx, tx, scheduled, asAutomatic);
    const why = dueAt ? null : countdownBlocker(scheduled, asAutomatic);
    return {
      ok: true,
      message: dueAt
        ? `Scheduled: submits automatically on ${formatOrderTime(dueAt, shopSettings(shop).timezone)}`
        : `Scheduled: the order is New${why ? `, not counting down: ${why}` : ""}`,
      orderId,
    };
  });
}

function alertFrom(problems: ValidationProblem[]): OrderAlert {
  const first = problems[0]!;
  const more =
    problems.length > 1
      ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? "s" : ""})`
      : "";
  return alertOf(first.code, `${first.message}${more}`, first.fix);
}

async function revalidateOrder(
  ctx: Ctx,
  shopId: string,
  orderId: string,
  acting: ActingAs,
): Promise<ActionOutcome> {
  return onLockedOrder(ctx, shopId, orderId, "revalidate", acting, async (tx, locked, facts) => {
    const { order, shop } = locked;
    const plan = await planSubmissions(ctx, tx, order, shop);
    if (!plan.ok) {
      const alert = alertFrom(plan.problems);
      const stored = order.alert;
      if (
        stored &&
        stored.code === alert.code &&
        stored.message === alert.message &&
        stored.fix === alert.fix
      ) {
        // The cause is still there, unchanged: the alert stays, and the owner is told why.
        const sentence = (text: string) => text.replace(/\.+$/, "");
        return refused(`Still in Error: ${sentence(alert.message)}. ${sentence(alert.fix)}.`);
      }
      // Still in Error, with the alert the current settings give.
      await tx
        .update(orders)
        .set({ alert, updatedAt: new Date() })
        .where(and(eq(orders.id, orderId), eq(orders.shopId, shopId)));
      await addTimelineEntry(tx, {
        shopId,
        orderId,
        actor: acting.actor,
        actorName: acting.name ?? null,
        action: "revalidate",
        fromState: order.state,
        toState: order.state,
        message: `Still not valid: ${problemText(plan.problems)}`,
        data: { problems: plan.problems },
      });
      return { ok: true, message: `Still in Error: ${alert.message}`, orderId };
    }
    const to: LifecycleState = await transition(tx, locked, {
      action: "revalidate",
      acting,
      facts,
      message: "Valid against the current settings and rules",
      set: { alert: null, autoSubmitAt: null, autoSubmitRemainingMs: null },
    });
    const dueAt = await startCountdown(ctx, tx, { ...order, state: to }, shop);
    return {
      ok: true,
      message: dueAt ? "Valid again: New, countdown restarted" : "Valid again",
      orderId,
    };
  });
}
