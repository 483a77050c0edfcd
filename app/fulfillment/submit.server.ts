// Submitting an order: the one path behind the countdown, the Submit Order button and Bulk Submit.
//
// Exactly once: the order row is locked, the lifecycle refuses a second submit once the order is
// Open, and the database allows one submission per (order, provider), each with an idempotency key
// fixed at creation. Sending happens afterwards, in the send-submission job (send.server.ts), which
// claims the submission before any HTTP call and sends the same key on every attempt.
import { randomUUID } from "node:crypto";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { AppContext } from "~/context.server";
import type { Tx } from "~/db/client.server";
import { lineItems, submissions } from "~/db/schema";
import { decide } from "~/orders/lifecycle";
import {
  alertOf,
  lockOrder,
  orderFacts,
  shopSettings,
  transition,
  type ActingAs,
  type OrderRow,
  type ShopRow,
} from "~/orders/orders.server";
import { refreshOrderSummary } from "~/orders/summary.server";
import type { ValidationProblem } from "./provider";
import { adapterFor, listProviders, providerConfig, type ProviderRow } from "./providers.server";
import {
  buildPurchaseOrder,
  loadItems,
  poNumberFor,
  type LineItemRow,
} from "./purchase-orders.server";
import type { KnownPurchaseOrder, SubmissionRow } from "./send.server";
import { routeItems } from "./routing";

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

type Ctx = Pick<AppContext, "db" | "jobs" | "config">;

export interface SendableSubmission {
  /** With `sendingInline`, created already claimed by the caller, who must send it now. */
  submission: SubmissionRow;
  known: KnownPurchaseOrder;
}

export interface SubmitOptions {
  /** Submit only if the countdown still ends at this deadline (the auto-submit job's own). */
  deadline?: string;
  /**
   * The caller sends the purchase orders itself right after (a worker, not a web request): the
   * queued send jobs then only stand by, in case this process dies before sending.
   */
  sendingInline?: boolean;
}

/** How long a standing-by send job waits before checking that its purchase order went out. */
const STANDBY_MS = 50_000;

export async function submitOrder(
  ctx: Ctx,
  shopId: string,
  orderId: string,
  acting: ActingAs,
  options: SubmitOptions = {},
): Promise<SubmitResult> {
  return ctx.db.transaction(async (tx) => {
    const locked = await lockOrder(tx, shopId, orderId);
    if (!locked) return { outcome: "not_found" };
    const { order, shop } = locked;
    if (options.deadline && order.autoSubmitAt?.toISOString() !== options.deadline) {
      return {
        outcome: "refused",
        reason: "The countdown changed since this submission was planned",
      };
    }
    const facts = orderFacts(locked, acting);
    // Asked before anything else, so a refused submit changes nothing.
    const decision = decide("submit", facts);
    if (!decision.allowed) {
      return order.state === "open" || order.state === "closed"
        ? { outcome: "already_submitted", reason: decision.reason }
        : { outcome: "refused", reason: decision.reason };
    }
    const planned = await planSubmissions(ctx, tx, order, shop);
    if (!planned.ok) {
      await transition(tx, locked, {
        action: "fail_validation",
        acting,
        facts,
        message: planned.problems.map((p) => p.message).join("; "),
        data: { problems: planned.problems },
        set: {
          alert: alertWith(planned.problems),
          autoSubmitAt: null,
          autoSubmitRemainingMs: null,
        },
      });
      return { outcome: "invalid", problems: planned.problems };
    }
    await transition(tx, locked, {
      action: "submit",
      acting,
      facts,
      message: `Submitting to ${planned.providerNames.join(", ")}`,
      set: { alert: null, autoSubmitAt: null, autoSubmitRemainingMs: null },
    });
    const created = await createSubmissions(
      tx,
      order,
      planned.plan,
      options.sendingInline ?? false,
    );
    await refreshOrderSummary(tx, shopId, orderId);
    const startAfter = options.sendingInline ? new Date(Date.now() + STANDBY_MS) : undefined;
    for (const { submission } of created) {
      await ctx.jobs.send(
        "send-submission",
        { shopId, submissionId: submission.id },
        { tx, startAfter },
      );
    }
    return {
      outcome: "submitted",
      submissions: created.length,
      sendable: created.map(({ submission, entry }) => ({
        submission,
        known: {
          order,
          provider: entry.provider,
          items: planned.items.filter((i) => entry.itemIds.includes(i.id)),
        },
      })),
    };
  });
}

interface PlannedSubmission {
  providerId: string;
  provider: ProviderRow;
  itemIds: string[];
}

type Plan =
  | { ok: true; plan: PlannedSubmission[]; providerNames: string[]; items: LineItemRow[] }
  | { ok: false; problems: ValidationProblem[] };

/** Routes the items and validates each provider's purchase order, without sending anything. */
export async function planSubmissions(
  ctx: Ctx,
  tx: Tx,
  order: OrderRow,
  shop: ShopRow,
): Promise<Plan> {
  const items = await loadItems(tx, order.shopId, order.id);
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
  const rows = await listProviders(tx, order.shopId);
  const routed = routeItems(items, rows, shopSettings(shop).routingRules);
  if (!routed.ok) {
    return {
      ok: false,
      problems: routed.unrouted.map((u) => ({
        code: "no_provider",
        lineId: u.itemId,
        message: `No provider for SKU ${u.sku ?? "(none)"}, map it in Settings`,
        fix: "Add a routing rule for this SKU or choose a default provider in Settings, then Revalidate",
      })),
    };
  }
  const problems: ValidationProblem[] = [];
  const plan: PlannedSubmission[] = [];
  const providerNames: string[] = [];
  for (const [providerId, itemIds] of routed.byProvider) {
    const row = rows.find((r) => r.id === providerId)!;
    const adapter = adapterFor(providerConfig(row, ctx.config.encryptionKey));
    const po = buildPurchaseOrder({
      order,
      items: items.filter((i) => itemIds.includes(i.id)),
      providerId,
      poNumber: "validation",
      idempotencyKey: "validation",
      publicUrl: ctx.config.publicUrl,
    });
    problems.push(...adapter.validate(po));
    plan.push({ providerId, provider: row, itemIds });
    providerNames.push(row.name);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, plan, providerNames, items };
}

async function createSubmissions(
  tx: Tx,
  order: OrderRow,
  plan: PlannedSubmission[],
  claimForCaller: boolean,
): Promise<{ submission: SubmissionRow; entry: PlannedSubmission }[]> {
  const created: { submission: SubmissionRow; entry: PlannedSubmission }[] = [];
  const now = new Date();
  // Claimed at creation when the caller sends at once: one claim fewer per order, same guarantee.
  const state = claimForCaller ? ("submitting" as const) : ("pending" as const);
  for (const [index, entry] of plan.entries()) {
    // A submission that already exists for this provider (Reprocess after a failure) is reused
    // with its original key, so the provider can recognise a retry of the same purchase order.
    const [row] = await tx
      .insert(submissions)
      .values({
        shopId: order.shopId,
        orderId: order.id,
        providerId: entry.providerId,
        poNumber: poNumberFor(order, index),
        idempotencyKey: `ol_${randomUUID()}`,
        state,
        attempts: claimForCaller ? 1 : 0,
        claimedAt: claimForCaller ? now : null,
      })
      .onConflictDoUpdate({
        target: [submissions.orderId, submissions.providerId],
        set: {
          state,
          updatedAt: now,
          ...(claimForCaller ? { attempts: sql`${submissions.attempts} + 1`, claimedAt: now } : {}),
        },
        setWhere: inArray(submissions.state, ["pending", "failed"]),
      })
      .returning();
    if (row) created.push({ submission: row, entry });
    await tx
      .update(lineItems)
      .set({ providerId: entry.providerId })
      .where(and(eq(lineItems.orderId, order.id), inArray(lineItems.id, entry.itemIds)));
  }
  return created;
}

function alertWith(problems: ValidationProblem[]) {
  const first = problems[0]!;
  const more =
    problems.length > 1
      ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? "s" : ""})`
      : "";
  return alertOf(first.code, `${first.message}${more}`, first.fix);
}
