// Submitting an order: the one path behind the countdown, the Submit Order button and Bulk Submit.
//
// Exactly once: the order row is locked, the lifecycle refuses a second submit once the order is
// Open, and the database allows one submission per (order, provider), each with an idempotency key
// fixed at creation. Sending happens afterwards, in the send-submission job (send.server.ts), which
// claims the submission before any HTTP call and sends the same key on every attempt.
import { randomUUID } from "node:crypto";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { AppContext } from "~/context.server";
import type { Tx } from "~/db/client.server";
import { lineItems, orders, submissions } from "~/db/schema";
import { NOT_YET_SHIPPED } from "~/orders/core/model";
import { addTimelineEntries } from "~/orders/core/timeline.server";
import { linesOfOrders, orderLineKinds } from "./dropship/order-lines.server";
import { decide } from "~/orders/core/lifecycle";
import type { OrderFacts } from "~/orders/core/lifecycle";
import {
  lockOrders,
  orderFacts,
  transitionMany,
  type ActingAs,
  type LockedOrder,
  type OrderRow,
} from "~/orders/core/transitions.server";
import { refreshOrderSummaries } from "~/orders/core/summary.server";
import type { FulfillmentProvider, ValidationProblem } from "./provider";
import { listProviders, providerAdapter, type ProviderRow } from "./providers.server";
import { buildPurchaseOrder, poNumberFor, type LineItemRow } from "./purchase-orders.server";
import type { KnownPurchaseOrder, SubmissionRow } from "./send.server";
import { routeItems, unroutedProblem } from "./routing";
import { alertOf, fixFor } from "~/orders/core/alerts";
import { queueFlowTrigger } from "~/carts/shopify/flow-triggers.server";
import type { ProcessingMode } from "~/orders/core/model";
import { shopSettings } from "~/orders/core/shop-settings";
import type { Shop } from "~/shops/shops.server";

export type SubmitResult =
  | {
      outcome: "submitted";
      submissions: number;
      /** What the caller needs to send the purchase orders itself (see SubmitOptions). */
      sendable: SendableSubmission[];
    }
  | { outcome: "already_submitted"; reason: string }
  | { outcome: "refused"; reason: string }
  | { outcome: "invalid"; problems: ValidationProblem[] }
  | { outcome: "not_found" };

type Ctx = Pick<AppContext, "db" | "jobs" | "config" | "presence">;

export interface SendableSubmission {
  /** With `sendingInline`, created already claimed by the caller, who must send it now. */
  submission: SubmissionRow;
  known: KnownPurchaseOrder;
}

export interface SubmitOptions {
  /** Submit only if the countdown still ends at this deadline (the auto-submit job's own). */
  deadline?: string;
  /**
   * The caller sends the purchase orders itself right after (a worker, not a web request): a
   * standby job then waits, in case this process fails to send them.
   */
  sendingInline?: boolean;
}

/** How long a standing-by send job waits before checking that its purchase order went out. */
const STANDBY_MS = 50_000;
/** Submissions one standby job looks after. */
const STANDBY_BATCH = 100;

export async function submitOrder(
  ctx: Ctx,
  shopId: string,
  orderId: string,
  acting: ActingAs,
  options: SubmitOptions = {},
): Promise<SubmitResult> {
  const [result] = await submitOrders(
    ctx,
    shopId,
    [{ orderId, deadline: options.deadline }],
    acting,
    {
      sendingInline: options.sendingInline,
    },
  );
  return result!;
}

export interface SubmitRequest {
  orderId: string;
  /** Submit only if the countdown still ends at this deadline (the auto-submit job's own). */
  deadline?: string;
}

/**
 * Submits several orders of one shop in one transaction, each decided on its own exactly as
 * `submitOrder` decides one (it is the same code): locked, asked of the lifecycle table, routed and
 * validated, then moved and given its submissions. Rows are read and written a batch at a time,
 * which is what lets the countdown keep up when many deadlines fall together. Results come back in
 * the order of the requests.
 */
export async function submitOrders(
  ctx: Ctx,
  shopId: string,
  requests: SubmitRequest[],
  acting: ActingAs,
  options: Pick<SubmitOptions, "sendingInline"> = {},
): Promise<SubmitResult[]> {
  if (requests.length === 0) return [];
  // Claims made here name this worker: one that can no longer prove it is alive makes none.
  if (options.sendingInline && ctx.presence.signal.aborted) {
    throw new Error("This worker lost its presence; it submits nothing more");
  }
  return ctx.db.transaction((tx) => submitLocked(ctx, tx, shopId, requests, acting, options));
}

/** The results of a batch, by request index; every slot is filled before they are returned. */
type Results = (SubmitResult | undefined)[];

/** An order the lifecycle lets go ahead, and where its result lands. */
interface GoingAhead {
  index: number;
  locked: LockedOrder;
  facts: OrderFacts;
}

type Planned = GoingAhead & { plan: ValidPlan };
type Unplannable = GoingAhead & { problems: ValidationProblem[] };

/** The batch's steps, in the one transaction whose order locks make them exactly-once. */
async function submitLocked(
  ctx: Ctx,
  tx: Tx,
  shopId: string,
  requests: SubmitRequest[],
  acting: ActingAs,
  options: Pick<SubmitOptions, "sendingInline">,
): Promise<SubmitResult[]> {
  const lockedRows = await lockOrders(
    tx,
    shopId,
    requests.map((r) => r.orderId),
  );
  const waiting = await dropshipWaiting(
    tx,
    shopId,
    lockedRows.map((row) => row.order.id),
  );
  const { results, goingAhead } = decideEach(requests, lockedRows, acting, waiting);
  await stopCountdownsOfDropshipOnly(tx, shopId, requests, lockedRows, waiting);
  if (goingAhead.length > 0) {
    const { valid, invalid } = await planEach(ctx, tx, shopId, goingAhead, waiting);
    for (const { index, problems } of invalid) results[index] = { outcome: "invalid", problems };
    await moveLifecycle(tx, valid, invalid, acting);
    for (const { locked, problems } of invalid) {
      const alert = alertWith(problems);
      // This transaction is the failure: a new key each time, kept only if it commits.
      await queueFlowTrigger(
        tx,
        ctx.jobs,
        shopId,
        "submission_failed",
        { orderId: locked.order.id, reason: alert.message, alertCode: alert.code },
        `order:${locked.order.id}:invalid:${randomUUID()}`,
      );
    }
    const created = await createSubmissions(
      tx,
      shopId,
      valid.map((v) => ({ order: v.locked.order, plan: v.plan.plan })),
      options.sendingInline ? ctx.presence.workerId : null,
    );
    await refreshOrderSummaries(
      tx,
      shopId,
      valid.map((v) => v.locked.order.id),
    );
    await queueSends(ctx, tx, shopId, created, options.sendingInline === true);
    for (const planned of valid) results[planned.index] = submittedResult(planned, created);
  }
  return results.map((result) => result!);
}

/** Per order: the items Submit may send, and whether drop-ship items still wait (decision 0052). */
interface DropshipWaiting {
  /** Items not yet sent that are not drop-ship items: what Submit sends. */
  toSend: Set<string>;
  /** Drop-ship items not yet sent: they wait for the owner's purchase order. */
  dropshipLeft: number;
}

async function dropshipWaiting(
  tx: Tx,
  shopId: string,
  orderIds: string[],
): Promise<Map<string, DropshipWaiting>> {
  const lines = await linesOfOrders(tx, shopId, orderIds);
  const kinds = await orderLineKinds(tx, shopId, lines);
  const byOrder = new Map<string, DropshipWaiting>(
    orderIds.map((id) => [id, { toSend: new Set(), dropshipLeft: 0 }]),
  );
  for (const line of lines) {
    if (kinds.sent.has(line.id)) continue;
    const entry = byOrder.get(line.orderId)!;
    if (kinds.dropship.has(line.id)) entry.dropshipLeft++;
    else entry.toSend.add(line.id);
  }
  return byOrder;
}

function waitingFacts(waiting: DropshipWaiting | undefined): Partial<OrderFacts> {
  if (!waiting || waiting.dropshipLeft === 0) return {};
  return { itemsLeftAfter: true, onlyDropshipLeft: waiting.toSend.size === 0 };
}

/**
 * A countdown that ends on an order whose items are all drop-shipped has nothing to send: it is
 * stopped, with a line in the timeline, instead of firing again and again.
 */
async function stopCountdownsOfDropshipOnly(
  tx: Tx,
  shopId: string,
  requests: SubmitRequest[],
  lockedRows: LockedOrder[],
  waiting: Map<string, DropshipWaiting>,
): Promise<void> {
  const stopped = lockedRows.filter(({ order }) => {
    const w = waiting.get(order.id);
    const request = requests.find((r) => r.orderId === order.id);
    return (
      w &&
      w.dropshipLeft > 0 &&
      w.toSend.size === 0 &&
      request?.deadline !== undefined &&
      order.autoSubmitAt?.toISOString() === request.deadline
    );
  });
  if (stopped.length === 0) return;
  await tx
    .update(orders)
    .set({ autoSubmitAt: null, autoSubmitRemainingMs: null, updatedAt: new Date() })
    .where(
      and(
        eq(orders.shopId, shopId),
        inArray(
          orders.id,
          stopped.map((s) => s.order.id),
        ),
      ),
    );
  await addTimelineEntries(
    tx,
    stopped.map(({ order }) => ({
      shopId,
      orderId: order.id,
      actor: "system" as const,
      action: "countdown_stopped",
      message:
        "The countdown ended, but every item is drop-shipped: nothing is sent until you place the purchase order with Dropship",
    })),
  );
}

/**
 * Asks the lifecycle about each request, in the order asked, before anything is written: the
 * results of those that stop here, and the orders that go ahead.
 */
function decideEach(
  requests: SubmitRequest[],
  lockedRows: LockedOrder[],
  acting: ActingAs,
  waiting: Map<string, DropshipWaiting>,
): { results: Results; goingAhead: GoingAhead[] } {
  const lockedById = new Map(lockedRows.map((row) => [row.order.id, row]));
  const results: Results = requests.map((request) =>
    lockedById.has(request.orderId) ? undefined : { outcome: "not_found" },
  );
  const ahead = new Set<string>();
  const goingAhead: GoingAhead[] = [];
  requests.forEach((request, index) => {
    const locked = lockedById.get(request.orderId);
    if (!locked) return;
    const { order } = locked;
    // The same order twice in one batch (two timer jobs): the first that may go ahead does.
    if (ahead.has(order.id)) {
      results[index] = { outcome: "already_submitted", reason: "Submitted a moment ago" };
      return;
    }
    if (request.deadline && order.autoSubmitAt?.toISOString() !== request.deadline) {
      results[index] = {
        outcome: "refused",
        reason: "The countdown changed since this submission was planned",
      };
      return;
    }
    const facts = { ...orderFacts(locked, acting), ...waitingFacts(waiting.get(order.id)) };
    // Asked before anything else, so a refused submit changes nothing.
    const decision = decide("submit", facts);
    if (!decision.allowed) {
      results[index] =
        order.state === "open" || order.state === "abandoned" || order.state === "closed"
          ? { outcome: "already_submitted", reason: decision.reason }
          : { outcome: "refused", reason: decision.reason };
      return;
    }
    ahead.add(order.id);
    goingAhead.push({ index, locked, facts });
  });
  return { results, goingAhead };
}

/** Routes and validates every order going ahead, with one read of their items and providers. */
async function planEach(
  ctx: Ctx,
  tx: Tx,
  shopId: string,
  goingAhead: GoingAhead[],
  waiting: Map<string, DropshipWaiting>,
): Promise<{ valid: Planned[]; invalid: Unplannable[] }> {
  const planner = await plannerFor(
    ctx,
    tx,
    shopId,
    goingAhead.map((g) => g.locked.order.id),
    (orderId, itemId) => waiting.get(orderId)?.toSend.has(itemId) ?? true,
  );
  const valid: Planned[] = [];
  const invalid: Unplannable[] = [];
  for (const entry of goingAhead) {
    const planned = planner.plan(entry.locked.order, entry.locked.shop);
    if (planned.ok) valid.push({ ...entry, plan: planned });
    else invalid.push({ ...entry, problems: planned.problems });
  }
  return { valid, invalid };
}

/**
 * Moves the whole batch in one go: orders that failed validation lose their countdown and carry
 * the alert; the others become Submitting.
 */
async function moveLifecycle(
  tx: Tx,
  valid: Planned[],
  invalid: Unplannable[],
  acting: ActingAs,
): Promise<void> {
  await transitionMany(tx, [
    ...invalid.map(({ locked, facts, problems }) => ({
      locked,
      action: "fail_validation" as const,
      acting,
      facts,
      message: problems.map((p) => p.message).join("; "),
      data: { problems },
      set: {
        alert: alertWith(problems),
        autoSubmitAt: null,
        autoSubmitRemainingMs: null,
      },
    })),
    ...valid.map(({ locked, facts, plan }) => ({
      locked,
      action: "submit" as const,
      acting,
      facts,
      message: `Submitting to ${plan.providerNames.join(", ")}`,
      set: { alert: null, autoSubmitAt: null, autoSubmitRemainingMs: null },
    })),
  ]);
}

/**
 * Queued in the same transaction as the submissions. Sent by a job: one send job per submission.
 * Sent inline by the caller: one standby job for the whole batch (decision 38), which sends
 * whatever is still unsent when it runs, in case this process fails to send or record them. A
 * process that dies is noticed sooner by the claims sweep (claims.server.ts).
 */
async function queueSends(
  ctx: Ctx,
  tx: Tx,
  shopId: string,
  created: CreatedSubmission[],
  sendingInline: boolean,
): Promise<void> {
  if (created.length === 0) return;
  if (!sendingInline) {
    await ctx.jobs.sendMany(
      "send-submission",
      created.map(({ submission }) => ({ data: { shopId, submissionId: submission.id } })),
      { tx },
    );
    return;
  }
  const startAfter = new Date(Date.now() + STANDBY_MS);
  const jobs: { data: { shopId: string; submissionIds: string[] }; startAfter: Date }[] = [];
  for (let start = 0; start < created.length; start += STANDBY_BATCH) {
    const submissionIds = created.slice(start, start + STANDBY_BATCH).map((c) => c.submission.id);
    jobs.push({ data: { shopId, submissionIds }, startAfter });
  }
  await ctx.jobs.sendMany("send-standby", jobs, { tx });
}

function submittedResult({ locked, plan }: Planned, created: CreatedSubmission[]): SubmitResult {
  const mine = created.filter((c) => c.submission.orderId === locked.order.id);
  return {
    outcome: "submitted",
    submissions: mine.length,
    sendable: mine.map(({ submission, entry }) => ({
      submission,
      known: {
        order: locked.order,
        provider: entry.provider,
        items: plan.items.filter((i) => entry.itemIds.includes(i.id)),
        rules: shopSettings(locked.shop).routingRules,
      },
    })),
  };
}

interface PlannedSubmission {
  providerId: string;
  provider: ProviderRow;
  itemIds: string[];
}

interface CreatedSubmission {
  submission: SubmissionRow;
  entry: PlannedSubmission;
}

type ValidPlan = {
  ok: true;
  plan: PlannedSubmission[];
  providerNames: string[];
  items: LineItemRow[];
};
type Plan = ValidPlan | { ok: false; problems: ValidationProblem[] };

/** Routes the items and validates each provider's purchase order, without sending anything. */
export async function planSubmissions(
  ctx: Ctx,
  tx: Tx,
  order: OrderRow,
  shop: Shop,
): Promise<Plan> {
  return (await plannerFor(ctx, tx, order.shopId, [order.id])).plan(order, shop);
}

/**
 * Reads what planning needs for a batch of orders of one shop in two queries (their items, the
 * shop's providers) and opens each provider's credentials once, then plans orders one by one.
 */
async function plannerFor(
  ctx: Ctx,
  tx: Tx,
  shopId: string,
  orderIds: string[],
  /** Which items Submit sends: drop-ship items and items sent already are left out. */
  sends: (orderId: string, itemId: string) => boolean = () => true,
): Promise<{ plan: (order: OrderRow, shop: Shop) => Plan }> {
  const [allItems, rows] = await Promise.all([
    tx
      .select()
      .from(lineItems)
      .where(and(eq(lineItems.shopId, shopId), inArray(lineItems.orderId, orderIds)))
      .orderBy(asc(lineItems.orderId), asc(lineItems.position)),
    listProviders(tx, shopId),
  ]);
  const itemsByOrder = new Map<string, LineItemRow[]>();
  for (const item of allItems) {
    if (!sends(item.orderId, item.id)) continue;
    const list = itemsByOrder.get(item.orderId) ?? [];
    list.push(item);
    itemsByOrder.set(item.orderId, list);
  }
  const adapters = new Map<string, FulfillmentProvider>();
  const adapterOf = (row: ProviderRow) => {
    let adapter = adapters.get(row.id);
    if (!adapter) {
      adapter = providerAdapter(ctx, row);
      adapters.set(row.id, adapter);
    }
    return adapter;
  };
  return {
    plan(order, shop) {
      const all = itemsByOrder.get(order.id) ?? [];
      // Items the owner shipped themselves (Update Shipment) or cancelled are not made again.
      const items = all.filter((i) => NOT_YET_SHIPPED.includes(i.deliveryState));
      if (all.length > 0 && items.length === 0) {
        return {
          ok: false,
          problems: [
            {
              code: "no_items",
              message:
                "Every item was already shipped or cancelled, so nothing is left for a provider",
              fix: "Nothing needs sending; Archive the order to keep it for reference",
            },
          ],
        };
      }
      if (items.length === 0) {
        return {
          ok: false,
          problems: [
            {
              code: "no_items",
              message: "The order has no items to fulfil",
              fix: "Check the order in the cart; Reset re-imports it",
            },
          ],
        };
      }
      const { routingRules: rules, processingMode: mode } = shopSettings(shop);
      const routed = routeItems(items, rows, rules);
      if (!routed.ok) {
        return {
          ok: false,
          problems: routed.unrouted.map((u) => withShopControls(unroutedProblem(u), mode)),
        };
      }
      const problems: ValidationProblem[] = [];
      const plan: PlannedSubmission[] = [];
      const providerNames: string[] = [];
      for (const [providerId, itemIds] of routed.byProvider) {
        const row = rows.find((r) => r.id === providerId)!;
        const po = buildPurchaseOrder({
          order,
          items: items.filter((i) => itemIds.includes(i.id)),
          providerId,
          poNumber: "validation",
          idempotencyKey: "validation",
          publicUrl: ctx.config.publicUrl,
          rules,
        });
        problems.push(
          ...adapterOf(row)
            .validate(po)
            .map((p) => withShopControls(p, mode)),
        );
        plan.push({ providerId, provider: row, itemIds });
        providerNames.push(row.name);
      }
      return problems.length > 0
        ? { ok: false, problems }
        : { ok: true, plan, providerNames, items };
    },
  };
}

async function createSubmissions(
  tx: Tx,
  shopId: string,
  planned: { order: OrderRow; plan: PlannedSubmission[] }[],
  /** The caller's worker id when it sends at once (the rows are created claimed by it). */
  claimFor: number | null,
): Promise<CreatedSubmission[]> {
  const claimForCaller = claimFor !== null;
  const entries = planned.flatMap(({ order, plan }) =>
    plan.map((entry, index) => ({ order, entry, index })),
  );
  if (entries.length === 0) return [];
  const now = new Date();
  // Claimed at creation when the caller sends at once: one claim fewer per order, same guarantee.
  const state = claimForCaller ? ("submitting" as const) : ("pending" as const);
  // A submission that already exists for this provider (Reprocess after a failure) is reused
  // with its original key, so the provider can recognise a retry of the same purchase order.
  // One that is neither pending nor failed is left alone and not returned: it is not ours to send.
  const rows = await tx
    .insert(submissions)
    .values(
      entries.map(({ order, entry, index }) => ({
        shopId,
        orderId: order.id,
        providerId: entry.providerId,
        poNumber: poNumberFor(order, index),
        idempotencyKey: `ol_${randomUUID()}`,
        state,
        attempts: claimForCaller ? 1 : 0,
        claimedAt: claimForCaller ? now : null,
        claimedBy: claimFor,
      })),
    )
    .onConflictDoUpdate({
      target: [submissions.orderId, submissions.providerId],
      set: {
        state,
        updatedAt: now,
        ...(claimForCaller
          ? { attempts: sql`${submissions.attempts} + 1`, claimedAt: now, claimedBy: claimFor }
          : {}),
      },
      setWhere: inArray(submissions.state, ["pending", "failed"]),
    })
    .returning();
  const byKey = new Map(rows.map((row) => [`${row.orderId}/${row.providerId}`, row]));
  const created: CreatedSubmission[] = [];
  for (const { order, entry } of entries) {
    const row = byKey.get(`${order.id}/${entry.providerId}`);
    if (row) created.push({ submission: row, entry });
  }
  // Which provider makes each item, one statement per provider for the whole batch.
  const itemsByProvider = new Map<string, string[]>();
  for (const { entry } of entries) {
    itemsByProvider.set(entry.providerId, [
      ...(itemsByProvider.get(entry.providerId) ?? []),
      ...entry.itemIds,
    ]);
  }
  for (const [providerId, itemIds] of itemsByProvider) {
    await tx
      .update(lineItems)
      .set({ providerId })
      .where(and(eq(lineItems.shopId, shopId), inArray(lineItems.id, itemIds)));
  }
  return created;
}

/** A problem whose fix names the control this shop has for checking the order again. */
function withShopControls(problem: ValidationProblem, mode: ProcessingMode): ValidationProblem {
  const { recheck, ...rest } = problem;
  return { ...rest, fix: fixFor({ fix: problem.fix, recheck }, mode) };
}

function alertWith(problems: ValidationProblem[]) {
  const first = problems[0]!;
  const more =
    problems.length > 1
      ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? "s" : ""})`
      : "";
  return alertOf(first.code, `${first.message}${more}`, first.fix);
}
