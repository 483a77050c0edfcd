// Sending one purchase order (the send-submission job).
//
// The submission is claimed with a conditional update before any HTTP call: of two workers holding
// the same job, only one wins the claim. The claim names the worker that holds it; a worker that
// dies mid-call is noticed within seconds (claims.server.ts) and its claim is put back, and the
// next claim sends the same idempotency key, so the provider sees one order.
import { and, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import { queryRows } from "~/db/client.server";
import type { AppContext } from "~/context.server";
import { orders, shops, submissions } from "~/db/schema";
import { addTimelineEntry } from "~/orders/core/timeline.server";
import { lockOrder } from "~/orders/core/transitions.server";
import { refreshOrderSummaries, refreshOrderSummary } from "~/orders/core/summary.server";
import { RetryLater } from "~/jobs/queues";
import type { FulfillmentProvider, SubmitOutcome } from "./provider";
import { getProvider, providerAdapter, type ProviderRow } from "./providers.server";
import { buildPurchaseOrder, loadItems, type LineItemRow } from "./purchase-orders.server";
import type { OrderRow } from "~/orders/core/transitions.server";
import { shopSettings, type ShopSettings } from "~/orders/core/shop-settings";
import { alertOf } from "~/orders/core/alerts";
import { queueFlowTrigger } from "~/carts/shopify/flow-triggers.server";
import { recordProviderRefusal } from "./provider-refusal.server";

type Ctx = Pick<AppContext, "db" | "config" | "presence" | "jobs">;

/**
 * A claim older than this may be taken over even though its worker still lives (say it could not
 * record an answer). No call under a claim outlives CALL_DEADLINE_SECONDS after the claim was made,
 * so by then its worker is certainly no longer calling the provider with it.
 */
export const CLAIM_LEASE_SECONDS = 45;
/** Every provider call is cut this long after its claim, well inside the lease. */
export const CALL_DEADLINE_SECONDS = 40;

export type SubmissionRow = typeof submissions.$inferSelect;

export interface SendOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Rows the caller has just read in the submitting transaction; saves reading them again. */
  known?: KnownPurchaseOrder;
}

export interface KnownPurchaseOrder {
  order: OrderRow;
  provider: ProviderRow;
  items: LineItemRow[];
  /** The shop's routing rules when the order was decided: they name the provider's products. */
  rules: ShopSettings["routingRules"];
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

/**
 * The send-standby job: one per batch of purchase orders a worker sent inline (decision 38). Those
 * already settled are left alone; each of the others goes through sendSubmission, so it is claimed
 * (taken over only once its claim's lease has run out) and sent with its own key. Retried, for
 * what is still unsent, while any of them is held by a live worker or its provider is down.
 */
export async function sendStandingBy(
  ctx: Ctx,
  data: { shopId: string; submissionIds: string[] },
  attempt: { lastAttempt: boolean },
): Promise<void> {
  if (data.submissionIds.length === 0) return;
  const unsent = await ctx.db
    .select({ id: submissions.id })
    .from(submissions)
    .where(
      and(
        eq(submissions.shopId, data.shopId),
        inArray(submissions.id, data.submissionIds),
        inArray(submissions.state, ["pending", "submitting"]),
      ),
    );
  const outcomes = await Promise.allSettled(
    unsent.map((row) =>
      sendSubmission(ctx, { shopId: data.shopId, submissionId: row.id }, attempt),
    ),
  );
  const failed = outcomes.filter((o) => o.status === "rejected");
  if (failed.length === 0) return;
  const errors = failed.map((o) => o.reason as unknown);
  // Anything but "later" is a fault worth seeing; the job retries either way.
  const fault = errors.find((e) => !(e instanceof RetryLater));
  if (fault) throw fault instanceof Error ? fault : new Error(String(fault));
  throw new RetryLater(`${failed.length} purchase order(s) not sent yet`);
}

/** Sends a submission this worker has claimed, and records the outcome under that claim. */
export async function sendClaimed(
  ctx: Ctx,
  claimed: SubmissionRow,
  attempt: { lastAttempt: boolean },
  options: SendOptions = {},
): Promise<void> {
  const outcome = await callProvider(ctx, claimed, options);
  await recordOutcome(ctx, claimed, outcome, attempt);
}

/** What the provider said, recorded under the claim; an outage to retry throws RetryLater. */
async function recordOutcome(
  ctx: Ctx,
  claimed: SubmissionRow,
  outcome: SubmitOutcome,
  attempt: { lastAttempt: boolean },
): Promise<void> {
  if (outcome.kind === "unavailable" && !attempt.lastAttempt) {
    await ctx.db
      .update(submissions)
      .set({
        state: "pending",
        lastError: outcome.reason,
        claimedAt: null,
        claimedBy: null,
        updatedAt: new Date(),
      })
      .where(ownClaim(claimed));
    throw new RetryLater(outcome.reason);
  }
  await settle(ctx, claimed, outcome);
}

/** Purchase orders in flight at once from one worker: enough to hide the round trips. */
export const SEND_CONCURRENCY = 25;

/**
 * Sends many submissions this worker has claimed (the countdown's batch), a bounded number at a
 * time so neither the provider nor our connections are flooded. Acceptances are recorded in
 * batches: whatever has come back while the previous batch was being written goes in the next one,
 * each under its own claim as `settle` would, with the moment the provider accepted it. Anything
 * else (a refusal, an outage) goes through `sendClaimed`'s own path, one by one. Never throws for
 * one submission's sake: a submission left claimed is taken over by its batch's standby job.
 */
export async function sendClaimedMany(
  ctx: Ctx,
  claimed: { submission: SubmissionRow; known: KnownPurchaseOrder }[],
  options: Omit<SendOptions, "known"> & { concurrency?: number } = {},
): Promise<void> {
  const adapters = new Map<string, FulfillmentProvider>();
  const accepted: Accepted[] = [];
  let writing: Promise<void> | null = null;
  const failures: unknown[] = [];
  const flush = async () => {
    while (accepted.length > 0) {
      const batch = accepted.splice(0, accepted.length);
      await settleAccepted(ctx, batch).catch((err: unknown) => failures.push(err));
    }
    writing = null;
  };
  let next = 0;
  const runner = async () => {
    while (next < claimed.length) {
      const { submission, known } = claimed[next++]!;
      const outcome = await callProvider(ctx, submission, { ...options, known }, adapters);
      if (outcome.kind === "accepted") {
        accepted.push({
          claimed: submission,
          providerOrderId: outcome.providerOrderId,
          at: new Date(),
        });
        writing ??= flush();
        continue;
      }
      await recordOutcome(ctx, submission, outcome, { lastAttempt: false }).catch(
        (err: unknown) => {
          if (!(err instanceof RetryLater)) failures.push(err);
        },
      );
    }
  };
  const width = Math.max(1, Math.min(options.concurrency ?? SEND_CONCURRENCY, claimed.length));
  await Promise.all(Array.from({ length: width }, runner));
  while (writing) await writing;
  if (failures.length > 0) {
    throw new Error(
      `${failures.length} sent purchase order(s) could not be recorded; their standby job will: ${String(failures[0])}`,
    );
  }
}

interface Accepted {
  claimed: SubmissionRow;
  providerOrderId: string;
  at: Date;
}

/** `settle` for many accepted submissions at once: the same rows, a few statements in all. */
async function settleAccepted(ctx: Ctx, batch: Accepted[]): Promise<void> {
  const byShop = new Map<string, Accepted[]>();
  for (const a of batch) byShop.set(a.claimed.shopId, [...(byShop.get(a.claimed.shopId) ?? []), a]);
  await ctx.db.transaction(async (tx) => {
    for (const [shopId, accepted] of byShop) {
      // The summaries below write the order rows: take them in id order first, as the countdown's
      // batches do, so a batch settling here and one deciding there can never wait on each other.
      const orderIds = [...new Set(accepted.map((a) => a.claimed.orderId))].sort();
      await tx
        .select({ id: orders.id })
        .from(orders)
        .where(and(eq(orders.shopId, shopId), inArray(orders.id, orderIds)))
        .orderBy(orders.id)
        .for("update");
      const values = sql.join(
        accepted.map(
          (a) =>
            sql`(${a.claimed.id}::uuid, ${a.claimed.attempts}::int, ${a.claimed.claimedBy}::int, ${a.providerOrderId}::text, ${a.at.toISOString()}::timestamptz)`,
        ),
        sql`, `,
      );
      // One statement settles the batch and writes its timeline: only the holder of each exact
      // claim may settle it (see ownClaim), and only what was settled gets a timeline row.
      const settled = await queryRows<{ id: string; order_id: string }>(
        tx,
        sql`with settled as (
              update submission s set
                state = 'submitted', provider_order_id = v.provider_order_id,
                submitted_at = v.accepted_at, last_error = null, updated_at = now()
              from (values ${values}) as v(id, attempts, claimed_by, provider_order_id, accepted_at)
              where s.id = v.id and s.shop_id = ${shopId} and s.state = 'submitting'
                and s.attempts = v.attempts and s.claimed_by is not distinct from v.claimed_by
              returning s.id, s.order_id, s.po_number, s.provider_order_id),
            timeline as (
              insert into order_event (shop_id, order_id, actor, action, message, data)
              select ${shopId}, order_id, 'provider', 'provider_accepted',
                po_number || ' accepted as ' || provider_order_id,
                jsonb_build_object('submissionId', id, 'providerOrderId', provider_order_id)
              from settled)
            select id, order_id from settled`,
      );
      await refreshOrderSummaries(tx, shopId, [...new Set(settled.map((row) => row.order_id))]);
      // The cart is told, as after any accepted purchase order (see settle).
      await ctx.jobs.sendMany(
        "report-sent-to-cart",
        settled.map((row) => ({ data: { shopId, submissionId: row.id } })),
        { tx },
      );
    }
  });
}

async function claim(
  ctx: Ctx,
  shopId: string,
  submissionId: string,
): Promise<SubmissionRow | null> {
  // A process that cannot prove it is alive may already have had its claims taken: claim nothing.
  if (ctx.presence.signal.aborted) throw new RetryLater("This worker lost its presence");
  const [row] = await ctx.db
    .update(submissions)
    .set({
      state: "submitting",
      attempts: sql`${submissions.attempts} + 1`,
      claimedAt: new Date(),
      claimedBy: ctx.presence.workerId,
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
    claimed.claimedBy === null
      ? isNull(submissions.claimedBy)
      : eq(submissions.claimedBy, claimed.claimedBy),
  );
}

async function callProvider(
  ctx: Ctx,
  submission: SubmissionRow,
  options: SendOptions,
  adapters?: Map<string, FulfillmentProvider>,
): Promise<SubmitOutcome> {
  const known = options.known ?? (await load(ctx, submission));
  if (!known) return { kind: "rejected", reason: "The order or its provider no longer exists" };
  const { provider } = known;
  if (!provider.enabled) {
    return { kind: "rejected", reason: `${provider.name} is disabled in Settings` };
  }
  const po = purchaseOrderOf(ctx, submission, known);
  try {
    let adapter = adapters?.get(provider.id);
    if (!adapter) {
      adapter = providerAdapter(ctx, provider, { timeoutMs: options.timeoutMs });
      adapters?.set(provider.id, adapter);
    }
    // Cut when this worker loses its presence (its claims may be taken from then on), and before
    // the claim's lease runs out, whenever the call started.
    const msLeft =
      (submission.claimedAt?.getTime() ?? Date.now()) + CALL_DEADLINE_SECONDS * 1000 - Date.now();
    if (msLeft <= 0 || ctx.presence.signal.aborted) {
      return { kind: "unavailable", reason: "Not sent: the claim ran out before the call began" };
    }
    const signals = [ctx.presence.signal, AbortSignal.timeout(msLeft)];
    if (options.signal) signals.push(options.signal);
    return await adapter.submit(po, { signal: AbortSignal.any(signals) });
  } catch (err) {
    // An adapter must not throw, but a bug in one must still leave a readable reason behind.
    return {
      kind: "unavailable",
      reason: `${provider.name}: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}

/**
 * What the provider is sent. A drop-ship purchase order carries its own items, each as the
 * distributor's SKU, to the address the owner confirmed (decision 0052).
 */
function purchaseOrderOf(ctx: Ctx, submission: SubmissionRow, known: KnownPurchaseOrder) {
  const { order, provider, items } = known;
  const po = buildPurchaseOrder({
    order: submission.dropship
      ? { ...order, shippingAddress: submission.shippingAddress ?? order.shippingAddress }
      : order,
    items,
    providerId: provider.id,
    poNumber: submission.poNumber,
    idempotencyKey: submission.idempotencyKey,
    publicUrl: ctx.config.publicUrl,
    rules: known.rules,
  });
  if (!submission.dropship) return po;
  const distributorSku = new Map(items.map((i) => [i.id, i.distributorSku]));
  return {
    ...po,
    items: po.items.map((item) => ({
      ...item,
      providerProduct: distributorSku.get(item.lineId) ?? item.providerProduct ?? null,
    })),
  };
}

async function load(ctx: Ctx, submission: SubmissionRow): Promise<KnownPurchaseOrder | null> {
  const [order, provider, items, [shop]] = await Promise.all([
    ctx.db.query.orders.findFirst({
      where: (o, { and: both, eq: is }) =>
        both(is(o.id, submission.orderId), is(o.shopId, submission.shopId)),
    }),
    getProvider(ctx.db, submission.shopId, submission.providerId),
    loadItems(ctx.db, submission.shopId, submission.orderId),
    ctx.db
      .select({ settings: shops.settings })
      .from(shops)
      .where(eq(shops.id, submission.shopId))
      .limit(1),
  ]);
  if (!order || !provider || !shop) return null;
  return {
    order,
    provider,
    items: submission.dropship
      ? items.filter((i) => submission.lineIds.includes(i.id))
      : items.filter((i) => i.providerId === submission.providerId),
    rules: shopSettings(shop).routingRules,
  };
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
      await addTimelineEntry(tx, {
        shopId: claimed.shopId,
        orderId: claimed.orderId,
        actor: "provider",
        action: "provider_accepted",
        message: `${claimed.poNumber} accepted as ${outcome.providerOrderId}`,
        data: { submissionId: claimed.id, providerOrderId: outcome.providerOrderId },
      });
      await refreshOrderSummary(tx, claimed.shopId, claimed.orderId);
      // A resend is a new provider order on the same row: its acceptance is a new event.
      await queueFlowTrigger(
        tx,
        ctx.jobs,
        claimed.shopId,
        "order_submitted",
        { orderId: claimed.orderId, providerId: claimed.providerId, poNumber: claimed.poNumber },
        `submission:${claimed.id}:accepted:${outcome.providerOrderId}`,
      );
      await ctx.jobs.send(
        "report-sent-to-cart",
        { shopId: claimed.shopId, submissionId: claimed.id },
        { tx },
      );
    });
    return;
  }
  await ctx.db.transaction(async (tx) => {
    const locked = await lockOrder(tx, claimed.shopId, claimed.orderId);
    if (!locked) return;
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
    await recordProviderRefusal(tx, locked, {
      alert,
      submissionId: claimed.id,
      timelineAction: "provider_failed",
    });
    // Each claim fails at most once; a Reprocess makes a new claim and so a new event.
    await queueFlowTrigger(
      tx,
      ctx.jobs,
      claimed.shopId,
      "submission_failed",
      {
        orderId: claimed.orderId,
        providerId: claimed.providerId,
        reason: alert.message,
        alertCode: alert.code,
      },
      `submission:${claimed.id}:failed:${claimed.claimedAt?.toISOString() ?? claimed.attempts}`,
    );
  });
}
