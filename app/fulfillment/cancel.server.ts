// The cart cancelled an order. Nothing more may leave for it: purchase orders not yet sent are
// withdrawn here and now; those a provider already has are cancelled there where the provider
// allows it (the cancel-submission job), and where it does not, the order carries an alert.
import { and, eq, inArray } from "drizzle-orm";
import type { AppContext } from "~/context.server";
import { orders, submissions } from "~/db/schema";
import { findSubmission } from "./purchase-orders.server";
import { RetryLater } from "~/jobs/queues";
import { addTimelineEntry } from "~/orders/core/timeline.server";
import { lockOrder, type ActingAs } from "~/orders/core/transitions.server";
import { refreshOrderSummary } from "~/orders/core/summary.server";
import { getProvider, providerAdapter } from "./providers.server";
import { alertOf } from "~/orders/core/alerts";

type Ctx = Pick<AppContext, "db" | "jobs" | "config">;

export async function cancelFulfillment(
  ctx: Ctx,
  shopId: string,
  orderId: string,
  acting: ActingAs,
): Promise<{ withdrawn: number; cancelling: number } | null> {
  return ctx.db.transaction(async (tx) => {
    const locked = await lockOrder(tx, shopId, orderId);
    if (!locked) return null;
    // The countdown stops: a cancelled order is never submitted.
    await tx
      .update(orders)
      .set({ autoSubmitAt: null, autoSubmitRemainingMs: null, updatedAt: new Date() })
      .where(and(eq(orders.id, orderId), eq(orders.shopId, shopId)));
    // A pending submission cannot be claimed once it is cancelled, so none of these is sent.
    const withdrawn = await tx
      .update(submissions)
      .set({ state: "cancelled", lastError: "The cart cancelled the order", updatedAt: new Date() })
      .where(
        and(eq(submissions.orderId, orderId), inArray(submissions.state, ["pending", "failed"])),
      )
      .returning({ id: submissions.id });
    const sent = await tx
      .select({ id: submissions.id })
      .from(submissions)
      .where(
        and(
          eq(submissions.orderId, orderId),
          inArray(submissions.state, ["submitted", "submitting"]),
        ),
      );
    for (const submission of sent) {
      await ctx.jobs.send("cancel-submission", { shopId, submissionId: submission.id }, { tx });
    }
    await addTimelineEntry(tx, {
      shopId,
      orderId,
      actor: acting.actor,
      actorName: acting.name ?? null,
      action: "fulfillment_cancelled",
      message:
        sent.length > 0
          ? `Cart cancelled the order: withdrawn ${withdrawn.length}, asking ${sent.length} provider(s) to cancel`
          : "Cart cancelled the order: nothing had been sent",
    });
    await refreshOrderSummary(tx, shopId, orderId);
    return { withdrawn: withdrawn.length, cancelling: sent.length };
  });
}

/** The cancel-submission job. */
export async function cancelSubmission(
  ctx: Ctx,
  data: { shopId: string; submissionId: string },
  attempt: { lastAttempt: boolean },
): Promise<void> {
  const submission = await findSubmission(ctx.db, data.shopId, data.submissionId);
  if (!submission || submission.state === "cancelled") return;
  if (submission.state === "submitting" || !submission.providerOrderId) {
    // Still being sent: try again once the provider has answered.
    throw new RetryLater("The purchase order is still being sent");
  }
  const provider = await getProvider(ctx.db, data.shopId, submission.providerId);
  const outcome = provider
    ? await providerAdapter(ctx, provider).cancel(
        { poNumber: submission.poNumber, providerOrderId: submission.providerOrderId },
        { signal: new AbortController().signal },
      )
    : ({ kind: "refused", reason: "The provider no longer exists" } as const);
  if (outcome.kind === "unavailable" && !attempt.lastAttempt) throw new RetryLater(outcome.reason);

  await ctx.db.transaction(async (tx) => {
    const locked = await lockOrder(tx, data.shopId, submission.orderId);
    if (!locked) return;
    if (outcome.kind === "cancelled") {
      await tx
        .update(submissions)
        .set({ state: "cancelled", updatedAt: new Date() })
        .where(eq(submissions.id, submission.id));
      await addTimelineEntry(tx, {
        shopId: data.shopId,
        orderId: submission.orderId,
        actor: "provider",
        action: "provider_cancelled",
        message: `${provider?.name ?? "The provider"} cancelled ${submission.poNumber}`,
      });
    } else {
      const alert = alertOf(
        "provider_cancel_refused",
        `${provider?.name ?? "The provider"} did not cancel ${submission.poNumber}: ${outcome.reason}`,
        "Contact the provider to stop the order, or arrange a return once it ships",
      );
      await tx
        .update(orders)
        .set({ alert, updatedAt: new Date() })
        .where(eq(orders.id, submission.orderId));
      await addTimelineEntry(tx, {
        shopId: data.shopId,
        orderId: submission.orderId,
        actor: "provider",
        action: "provider_cancel_refused",
        message: alert.message,
      });
    }
    await refreshOrderSummary(tx, data.shopId, submission.orderId);
  });
}
