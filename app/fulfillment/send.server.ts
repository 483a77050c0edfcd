// Sending one purchase order (the send-submission job).
//
// The submission is claimed with a conditional update before any HTTP call: of two workers holding
// the same job, only one wins the claim. A worker that dies mid-call leaves the claim to expire;
// the retry claims it again and sends the same idempotency key, so the provider sees one order.
import { and, eq, lt, or, sql } from "drizzle-orm";
import type { AppContext } from "~/context.server";
import { submissions } from "~/db/schema";
import { recordOrderEvent } from "~/orders/events.server";
import { alertOf, lockOrder, transition } from "~/orders/orders.server";
import { refreshOrderSummary } from "~/orders/summary.server";
import { RetryLater } from "~/jobs/queues";
import type { SubmitOutcome } from "./provider";
import { adapterFor, getProvider, providerConfig, type ProviderRow } from "./providers.server";
import { buildPurchaseOrder, loadItems, type LineItemRow } from "./purchase-orders.server";
import type { OrderRow } from "~/orders/orders.server";

type Ctx = Pick<AppContext, "db" | "config">;

/** A claim older than this belonged to a worker that died: the longest call (30 s) plus a margin. */
export const CLAIM_LEASE_SECONDS = 45;

export type SubmissionRow = typeof submissions.$inferSelect;

export interface SendOptions {
  signal?: AbortSignal;
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** Rows the caller has just read in the submitting transaction; saves reading them again. */
  known?: KnownPurchaseOrder;
}

export interface KnownPurchaseOrder {
  order: OrderRow;
  provider: ProviderRow;
  items: LineItemRow[];
}

export async function sendSubmission(
  ctx: Ctx,
  data: { shopId: string; submissionId: string },
  attempt: { lastAttempt: boolean },
  options: SendOptions = {},
): Promise<void> {
  const claimed = await claim(ctx, data.shopId, data.submissionId);
  if (!claimed) {
    // Sent, failed or cancelled: nothing to do. Held by another worker: look again later, since
    // that worker may still die before it records what the provider said.
    const [current] = await ctx.db
      .select({ state: submissions.state })
      .from(submissions)
      .where(and(eq(submissions.id, data.submissionId), eq(submissions.shopId, data.shopId)));
    if (current?.state === "submitting") throw new RetryLater("Another worker is sending it");
    return;
  }
  await sendClaimed(ctx, claimed, attempt, options);
}

/** Sends a submission this worker has claimed, and records the outcome under that claim. */
export async function sendClaimed(
  ctx: Ctx,
  claimed: SubmissionRow,
  attempt: { lastAttempt: boolean },
  options: SendOptions = {},
): Promise<void> {
  const outcome = await callProvider(ctx, claimed, options);
  if (outcome.kind === "unavailable" && !attempt.lastAttempt) {
    await ctx.db
      .update(submissions)
      .set({ state: "pending", lastError: outcome.reason, claimedAt: null, updatedAt: new Date() })
      .where(ownClaim(claimed));
    throw new RetryLater(outcome.reason);
  }
  await settle(ctx, claimed, outcome);
}

async function claim(
  ctx: Ctx,
  shopId: string,
  submissionId: string,
): Promise<SubmissionRow | null> {
  const [row] = await ctx.db
    .update(submissions)
    .set({
      state: "submitting",
      attempts: sql`${submissions.attempts} + 1`,
      claimedAt: new Date(),
      updatedAt: new Date(),
    })
    .where(
      and(
        eq(submissions.id, submissionId),
        eq(submissions.shopId, shopId),
        or(
          eq(submissions.state, "pending"),
          and(
            eq(submissions.state, "submitting"),
            lt(submissions.claimedAt, sql`now() - make_interval(secs => ${CLAIM_LEASE_SECONDS})`),
          ),
        ),
      ),
    )
    .returning();
  return row ?? null;
}

/** Only the holder of this exact claim may settle it. */
function ownClaim(claimed: SubmissionRow) {
  return and(
    eq(submissions.id, claimed.id),
    eq(submissions.state, "submitting"),
    eq(submissions.attempts, claimed.attempts),
  );
}

async function callProvider(
  ctx: Ctx,
  submission: SubmissionRow,
  options: SendOptions,
): Promise<SubmitOutcome> {
  const known = options.known ?? (await load(ctx, submission));
  if (!known) return { kind: "rejected", reason: "The order or its provider no longer exists" };
  const { order, provider, items } = known;
  if (!provider.enabled) {
    return { kind: "rejected", reason: `${provider.name} is disabled in Settings` };
  }
  const po = buildPurchaseOrder({
    order,
    items,
    providerId: provider.id,
    poNumber: submission.poNumber,
    idempotencyKey: submission.idempotencyKey,
    publicUrl: ctx.config.publicUrl,
  });
  try {
    const adapter = adapterFor(providerConfig(provider, ctx.config.encryptionKey), {
      fetch: options.fetch,
      timeoutMs: options.timeoutMs,
    });
    return await adapter.submit(po, { signal: options.signal ?? new AbortController().signal });
  } catch (err) {
    // An adapter must not throw, but a bug in one must still leave a readable reason behind.
    return {
      kind: "unavailable",
      reason: `${provider.name}: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}

async function load(ctx: Ctx, submission: SubmissionRow): Promise<KnownPurchaseOrder | null> {
  const [order, provider, items] = await Promise.all([
    ctx.db.query.orders.findFirst({
      where: (o, { and: both, eq: is }) =>
        both(is(o.id, submission.orderId), is(o.shopId, submission.shopId)),
    }),
    getProvider(ctx.db, submission.shopId, submission.providerId),
    loadItems(ctx.db, submission.shopId, submission.orderId),
  ]);
  if (!order || !provider) return null;
  return { order, provider, items: items.filter((i) => i.providerId === submission.providerId) };
}

async function settle(ctx: Ctx, claimed: SubmissionRow, outcome: SubmitOutcome): Promise<void> {
  if (outcome.kind === "accepted") {
    // Only this submission's own row changes: no need to lock the order.
    await ctx.db.transaction(async (tx) => {
      const [updated] = await tx
        .update(submissions)
        .set({
          state: "submitted",
          providerOrderId: outcome.providerOrderId,
          submittedAt: new Date(),
          lastError: null,
          updatedAt: new Date(),
        })
        .where(ownClaim(claimed))
        .returning({ id: submissions.id });
      if (!updated) return;
      await recordOrderEvent(tx, {
        shopId: claimed.shopId,
        orderId: claimed.orderId,
        actor: "provider",
        action: "provider_accepted",
        message: `${claimed.poNumber} accepted as ${outcome.providerOrderId}`,
        data: { submissionId: claimed.id, providerOrderId: outcome.providerOrderId },
      });
      await refreshOrderSummary(tx, claimed.shopId, claimed.orderId);
    });
    return;
  }
  await ctx.db.transaction(async (tx) => {
    const locked = await lockOrder(tx, claimed.shopId, claimed.orderId);
    if (!locked) return;
    const { order } = locked;
    const acting = { actor: "provider" as const, name: null };
    const [updated] = await tx
      .update(submissions)
      .set({ state: "failed", lastError: outcome.reason, updatedAt: new Date() })
      .where(ownClaim(claimed))
      .returning({ id: submissions.id });
    if (!updated) return;
    const gaveUp = outcome.kind === "unavailable";
    const alert = gaveUp
      ? alertOf(
          "provider_unavailable",
          `${outcome.reason} (gave up after ${claimed.attempts} attempts)`,
          "Check the provider's status, then Reprocess: it resends the same purchase order",
        )
      : alertOf(
          "provider_rejected",
          outcome.reason,
          "Fix what the provider objects to (Edit the order), then Reprocess",
        );
    if (order.state === "open") {
      await transition(tx, locked, {
        action: "provider_reject",
        acting,
        message: alert.message,
        data: { submissionId: claimed.id },
        set: { alert },
      });
    } else {
      await recordOrderEvent(tx, {
        shopId: order.shopId,
        orderId: order.id,
        actor: "provider",
        action: "provider_failed",
        message: alert.message,
        data: { submissionId: claimed.id },
      });
    }
    await refreshOrderSummary(tx, claimed.shopId, claimed.orderId);
  });
}
