// Telling Shopify Flow what happened to an order (decision 0045). Where an event happens, its
// transaction calls queueFlowTrigger: one row per (shop, trigger, event key) and, only when that
// row is new, a send-flow-trigger job in the same transaction. The worker sends the row with
// flowTriggerReceive, retries what Shopify throttles or refuses with backoff, and records every
// attempt on the row. A row is sent at most once: it is marked `sending` before the call, and a row
// found still `sending` (its worker died mid-call) is recorded as unknown rather than sent again,
// because a workflow run twice (two emails, two tags) is worse than one the owner is told about.
import { and, eq, sql } from "drizzle-orm";
import type { AppContext } from "~/context.server";
import type { DbOrTx, Tx } from "~/db/client.server";
import { flowTriggerEvents, orders, providers, shops, submissions } from "~/db/schema";
import type { Jobs } from "~/jobs/jobs.server";
import { RetryLater } from "~/jobs/queues";
import { CartReadError } from "../connector";
import { openAdminApi } from "./admin-api.server";
import {
  FLOW_TRIGGER_RECEIVE,
  FLOW_TRIGGERS,
  flowPayload,
  type FlowTrigger,
  type FlowTriggerFields,
} from "./flow";

export { FLOW_TRIGGERS, type FlowTrigger, type FlowTriggerFields } from "./flow";

/**
 * Queues one Flow trigger for one event, inside the caller's transaction, at most once per
 * `eventKey` (a second call with the same key does nothing). Only Shopify shops have Flow: for any
 * other shop, or an order that is not the shop's, nothing is queued. Answers whether it queued.
 *
 * For other rooms (e.g. drop-ship's overdue check):
 *   await queueFlowTrigger(tx, ctx.jobs, shopId, "purchase_order_overdue",
 *     { orderId, providerId, poNumber, daysOverdue }, `submission:${submissionId}:overdue`);
 * Choose the key so that the same event always makes the same key (and a new event a new one).
 */
export async function queueFlowTrigger<T extends FlowTrigger>(
  tx: Tx,
  jobs: Pick<Jobs, "send">,
  shopId: string,
  trigger: T,
  fields: FlowTriggerFields[T],
  eventKey: string,
): Promise<boolean> {
  const [order] = await tx
    .select({
      cartOrderId: orders.cartOrderId,
      number: orders.cartOrderNumber,
      platform: shops.platform,
    })
    .from(orders)
    .innerJoin(shops, eq(shops.id, orders.shopId))
    .where(and(eq(orders.id, fields.orderId), eq(orders.shopId, shopId)))
    .limit(1);
  if (!order || order.platform !== "shopify") return false;
  let providerName: string | null = null;
  if (fields.providerId) {
    const [provider] = await tx
      .select({ name: providers.name })
      .from(providers)
      .where(and(eq(providers.id, fields.providerId), eq(providers.shopId, shopId)))
      .limit(1);
    providerName = provider?.name ?? null;
  }
  const [row] = await tx
    .insert(flowTriggerEvents)
    .values({
      shopId,
      trigger: FLOW_TRIGGERS[trigger],
      eventKey,
      payload: flowPayload(trigger, { ...order, providerName }, fields),
    })
    .onConflictDoNothing()
    .returning({ id: flowTriggerEvents.id });
  if (!row) return false;
  await jobs.send("send-flow-trigger", { shopId, eventId: row.id }, { tx });
  return true;
}

/** The provider of a purchase order, for triggers that know the purchase order only. */
export async function providerOfSubmission(
  tx: DbOrTx,
  shopId: string,
  submissionId: string | null,
): Promise<string | null> {
  if (!submissionId) return null;
  const [row] = await tx
    .select({ providerId: submissions.providerId })
    .from(submissions)
    .where(and(eq(submissions.id, submissionId), eq(submissions.shopId, shopId)))
    .limit(1);
  return row?.providerId ?? null;
}

type Ctx = Pick<AppContext, "db" | "shopify" | "config" | "demo">;

interface UserError {
  field?: string[] | null;
  message: string;
}

/** The send-flow-trigger job: one event to Shopify Flow. */
export async function sendFlowTrigger(
  ctx: Ctx,
  data: { shopId: string; eventId: string },
  job: { lastAttempt: boolean },
): Promise<void> {
  const [event] = await ctx.db
    .select({ row: flowTriggerEvents, domain: shops.domain })
    .from(flowTriggerEvents)
    .innerJoin(shops, eq(shops.id, flowTriggerEvents.shopId))
    .where(and(eq(flowTriggerEvents.id, data.eventId), eq(flowTriggerEvents.shopId, data.shopId)))
    .limit(1);
  if (!event) return;
  const { row } = event;
  if (row.status === "sending") {
    await settleRow(ctx, row.id, "sending", {
      status: "unknown",
      lastError:
        "The worker stopped during the call to Shopify, so whether Flow received it is unknown; it is not sent again",
    });
    return;
  }
  if (row.status !== "pending") return;
  if (ctx.demo) {
    await settleRow(ctx, row.id, "pending", {
      status: "skipped",
      lastError: "The demo has no Shopify Flow to send to",
    });
    return;
  }
  // Take the row: only one attempt at a time, and never one after it was sent.
  const [claimed] = await ctx.db
    .update(flowTriggerEvents)
    .set({
      status: "sending",
      attempts: sql`${flowTriggerEvents.attempts} + 1`,
      lastAttemptAt: new Date(),
      updatedAt: new Date(),
    })
    .where(and(eq(flowTriggerEvents.id, row.id), eq(flowTriggerEvents.status, "pending")))
    .returning({ attempts: flowTriggerEvents.attempts });
  if (!claimed) return;

  let problem: { message: string; retryable: boolean } | null = null;
  try {
    // One call per attempt: the job's own backoff spaces the retries, not a wait in the worker.
    const admin = await openAdminApi(ctx, event.domain, { attempts: 1 });
    const answer = await admin.request<{
      flowTriggerReceive?: { userErrors?: UserError[] } | null;
    }>(FLOW_TRIGGER_RECEIVE, { handle: row.trigger, payload: row.payload });
    const errors = answer.flowTriggerReceive?.userErrors ?? [];
    if (!answer.flowTriggerReceive) {
      problem = { message: "Shopify answered without a result", retryable: true };
    } else if (errors.length > 0) {
      // Refused (e.g. the trigger is not deployed yet, or a field does not match): it may be
      // fixed by a deploy, so it is tried again, and each refusal is on the row.
      problem = {
        message: `Shopify refused it: ${errors.map((e) => e.message).join("; ")}`,
        retryable: true,
      };
    }
  } catch (err) {
    if (!(err instanceof CartReadError)) throw err;
    problem = { message: err.message, retryable: err.retryable };
  }

  if (!problem) {
    await settleRow(ctx, row.id, "sending", {
      status: "sent",
      sentAt: new Date(),
      lastError: null,
    });
    return;
  }
  const giveUp = job.lastAttempt || !problem.retryable;
  await settleRow(ctx, row.id, "sending", {
    status: giveUp ? "failed" : "pending",
    lastError: `Attempt ${claimed.attempts}: ${problem.message}`,
  });
  console.warn(
    `[flow] ${row.trigger} for shop ${event.domain} ${giveUp ? "gave up" : "will retry"}: ${problem.message}`,
  );
  if (!giveUp) throw new RetryLater(problem.message);
}

async function settleRow(
  ctx: Pick<Ctx, "db">,
  id: string,
  from: string,
  set: Partial<typeof flowTriggerEvents.$inferInsert>,
): Promise<void> {
  await ctx.db
    .update(flowTriggerEvents)
    .set({ ...set, updatedAt: new Date() })
    .where(and(eq(flowTriggerEvents.id, id), eq(flowTriggerEvents.status, from)));
}
