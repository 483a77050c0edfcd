// The owner's three answers to "Changed in the cart after it was sent" (raised by
// cart-changes.server.ts): ask the provider to update the order, cancel it there and send it again,
// or keep it as sent. Each is asked of the lifecycle table first. A provider is called outside any
// transaction (a slow provider must not hold the order's lock); its answer is then recorded under
// the lock. Whatever a provider answers, nothing is lost: the alert stays, with the provider's
// words, until every purchase order has the new version or the owner keeps the old one.
import { randomUUID } from "node:crypto";
import { and, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import type { AppContext } from "~/context.server";
import type { Tx } from "~/db/client.server";
import { lineItems, orders, submissions } from "~/db/schema";
import type { CancelOutcome, UpdateOutcome } from "~/fulfillment/provider";
import { listProviders, providerAdapter, type ProviderRow } from "~/fulfillment/providers.server";
import {
  buildPurchaseOrder,
  loadItems,
  type LineItemRow,
} from "~/fulfillment/purchase-orders.server";
import { routeItems } from "~/fulfillment/routing";
import type { CartChangeAfterSent, ChangedPurchaseOrder } from "~/orders/core/model";
import { shopSettings, type ShopSettings } from "~/orders/core/shop-settings";
import { refreshOrderSummary } from "~/orders/core/summary.server";
import { addTimelineEntries, type TimelineEntry } from "~/orders/core/timeline.server";
import {
  lockOrder,
  openForAction,
  transition,
  type ActingAs,
  type LockedOrder,
} from "~/orders/core/transitions.server";
import { alertWithChange, changeWords } from "./changed-after-sent";
import { NOT_FOUND, onLockedOrder, refused, succeeded, type ActionOutcome } from "./outcome.server";

type Ctx = Pick<AppContext, "db" | "jobs" | "config">;
type SubmissionRow = typeof submissions.$inferSelect;

export type CartChangeAnswer = "update_at_provider" | "cancel_and_resend" | "keep_as_sent";

/** One purchase order as it is now, ready for its provider. */
interface NewVersion {
  entry: ChangedPurchaseOrder;
  submission: SubmissionRow;
  provider: ProviderRow;
  items: LineItemRow[];
  /** The shop's routing rules, which name the provider's own product for a SKU. */
  rules: ShopSettings["routingRules"];
}

export async function answerCartChange(
  ctx: Ctx,
  shopId: string,
  orderId: string,
  answer: CartChangeAnswer,
  acting: ActingAs,
  input?: unknown,
): Promise<ActionOutcome> {
  switch (answer) {
    case "keep_as_sent":
      return keepAsSent(ctx, shopId, orderId, acting);
    case "update_at_provider":
      return updateAtProvider(ctx, shopId, orderId, acting);
    case "cancel_and_resend":
      return cancelAndResend(ctx, shopId, orderId, acting, input);
  }
}

function keepAsSent(
  ctx: Ctx,
  shopId: string,
  orderId: string,
  acting: ActingAs,
): Promise<ActionOutcome> {
  return onLockedOrder(ctx, shopId, orderId, "keep_as_sent", acting, async (tx, locked, facts) => {
    const change = locked.order.alert?.cartChange;
    await transition(tx, locked, {
      action: "keep_as_sent",
      acting,
      facts,
      message: change
        ? `Kept as sent: the provider makes the version it was sent (${change.changes.map(changeWords).join("; ")})`
        : "Kept as sent",
      data: change ? { changes: change.changes } : undefined,
      set: { alert: null },
    });
    return succeeded(orderId, "Kept as sent: the provider makes the version it was sent");
  });
}

/** The change the alert carries and the purchase orders still waiting for it, under the lock. */
async function openChange(
  ctx: Ctx,
  tx: Tx,
  shopId: string,
  orderId: string,
  action: Exclude<CartChangeAnswer, "keep_as_sent">,
  acting: ActingAs,
): Promise<
  | { ok: true; locked: LockedOrder; change: CartChangeAfterSent; versions: NewVersion[] }
  | { ok: false; outcome: ActionOutcome }
> {
  const opened = await openForAction(tx, shopId, orderId, action, acting);
  if (!opened.ok)
    return { ok: false, outcome: opened.notFound ? NOT_FOUND : refused(opened.reason) };
  const change = opened.locked.order.alert?.cartChange;
  if (!change)
    return {
      ok: false,
      outcome: refused("Nothing changed in the cart since this order was sent."),
    };
  const waiting = change.purchaseOrders.filter((p) => !p.updated);
  const versions = await newVersions(ctx, tx, opened.locked, change, waiting);
  if (!versions.ok) return { ok: false, outcome: refused(versions.reason) };
  return { ok: true, locked: opened.locked, change, versions: versions.list };
}

/**
 * Each waiting purchase order as the cart has the order now: its lines minus those the cart
 * removed, with the new quantities, plus any line the cart added that the shop's routing sends
 * to the same provider. A line added for a provider that holds no part of the order cannot be
 * slipped into an update: the owner is told so before anything is sent.
 */
async function newVersions(
  ctx: Ctx,
  tx: Tx,
  locked: LockedOrder,
  change: CartChangeAfterSent,
  waiting: ChangedPurchaseOrder[],
): Promise<{ ok: true; list: NewVersion[] } | { ok: false; reason: string }> {
  const { order, shop } = locked;
  const ids = waiting.map((p) => p.submissionId);
  if (ids.length === 0) return { ok: true, list: [] };
  const [subs, providerRows, items] = await Promise.all([
    tx
      .select()
      .from(submissions)
      .where(and(eq(submissions.shopId, shop.id), inArray(submissions.id, ids))),
    listProviders(tx, shop.id),
    loadItems(tx, shop.id, order.id),
  ]);
  const removed = new Set(change.removedCartLineIds);
  const current = items.filter((i) => !removed.has(i.cartLineId));
  const added = current.filter((i) => i.providerId === null);
  const routed = routeItems(added, providerRows, shopSettings(shop).routingRules);
  if (!routed.ok) {
    const titles = routed.unrouted.map((u) => current.find((i) => i.id === u.itemId)?.title);
    return {
      ok: false,
      reason: `No provider makes ${titles.join(", ")}, added in the cart: add a routing rule in Settings → Providers, then try again.`,
    };
  }
  const addedFor = new Map<string, LineItemRow[]>();
  for (const [providerId, itemIds] of routed.byProvider) {
    const provider = providerRows.find((p) => p.id === providerId);
    if (!subs.some((s) => s.providerId === providerId)) {
      return {
        ok: false,
        reason: `${itemIds.map((id) => current.find((i) => i.id === id)?.title).join(", ")}, added in the cart, goes to ${provider?.name ?? "another provider"}, which has no part of this order: keep this order as sent and make a new order for it.`,
      };
    }
    addedFor.set(
      providerId,
      current.filter((i) => itemIds.includes(i.id)),
    );
  }
  const list: NewVersion[] = [];
  for (const entry of waiting) {
    const submission = subs.find((s) => s.id === entry.submissionId);
    const provider = providerRows.find((p) => p.id === submission?.providerId);
    if (!submission || !provider) {
      return { ok: false, reason: `${entry.poNumber} or its provider no longer exists.` };
    }
    list.push({
      entry,
      submission,
      provider,
      items: [
        ...current.filter((i) => i.providerId === provider.id),
        ...(addedFor.get(provider.id) ?? []),
      ].sort((a, b) => a.position - b.position),
      rules: shopSettings(shop).routingRules,
    });
  }
  return { ok: true, list };
}

/**
 * One call to a provider. Adapters answer their own failures as outcomes; a bug that throws still
 * becomes "unavailable" with a reason the owner can read. (The HTTP layer sets the call's deadline.)
 */
async function askProvider<T>(
  provider: ProviderRow,
  call: (signal: AbortSignal) => Promise<T>,
): Promise<T | { kind: "unavailable"; reason: string }> {
  try {
    return await call(new AbortController().signal);
  } catch (err) {
    return {
      kind: "unavailable",
      reason: `${provider.name}: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}

function purchaseOrderOf(
  ctx: Ctx,
  version: NewVersion,
  order: LockedOrder["order"],
  key: string,
  poNumber: string,
) {
  return buildPurchaseOrder({
    order,
    items: version.items,
    providerId: version.provider.id,
    poNumber,
    idempotencyKey: key,
    publicUrl: ctx.config.publicUrl,
    rules: version.rules,
  });
}

// ---- Ask the provider to update ---------------------------------------------------------------

async function updateAtProvider(
  ctx: Ctx,
  shopId: string,
  orderId: string,
  acting: ActingAs,
): Promise<ActionOutcome> {
  const opened = await ctx.db.transaction((tx) =>
    openChange(ctx, tx, shopId, orderId, "update_at_provider", acting),
  );
  if (!opened.ok) return opened.outcome;
  const { locked, change, versions } = opened;
  const cannot = versions.filter((v) => !v.entry.canUpdate);
  if (cannot.length > 0) {
    return refused(
      `${cannot.map((v) => v.provider.name).join(", ")} takes no changes to an order it accepted: choose Cancel and send again, or Keep as sent.`,
    );
  }
  const empty = versions.find((v) => v.items.length === 0);
  if (empty) {
    return refused(
      `Every item ${empty.provider.name} makes was removed in the cart: choose Cancel and send again, which cancels ${empty.entry.poNumber}.`,
    );
  }
  const answers = await Promise.all(
    versions.map(async (version): Promise<UpdateOutcome> => {
      const adapter = providerAdapter(ctx, version.provider);
      const update = adapter.update?.bind(adapter);
      const { submission } = version;
      if (!update || !submission.providerOrderId) {
        return {
          kind: "unsupported",
          reason: `${version.provider.name} takes no changes to an order it accepted`,
        };
      }
      const providerOrderId = submission.providerOrderId;
      return askProvider(version.provider, (signal) =>
        update(
          {
            order: { poNumber: submission.poNumber, providerOrderId },
            purchaseOrder: purchaseOrderOf(
              ctx,
              version,
              locked.order,
              submission.idempotencyKey,
              submission.poNumber,
            ),
            updateKey: `${change.updateKey}:${submission.id}`,
          },
          { signal },
        ),
      );
    }),
  );
  return ctx.db.transaction(async (tx) => {
    const relocked = await lockOrder(tx, shopId, orderId);
    if (!relocked) return NOT_FOUND;
    const now = relocked.order.alert?.cartChange;
    const stillSame = now?.updateKey === change.updateKey;
    const events: TimelineEntry[] = [];
    const entries = new Map<string, ChangedPurchaseOrder>();
    versions.forEach((version, i) => {
      const answer = answers[i]!;
      const name = version.provider.name;
      const po = version.entry.poNumber;
      const words =
        answer.kind === "updated"
          ? `${name} updated ${po} to the cart's version`
          : `${name} did not update ${po}: ${answer.reason}`;
      events.push({
        shopId,
        orderId,
        actor: acting.actor,
        actorName: acting.name ?? null,
        action: "update_at_provider",
        fromState: relocked.order.state,
        toState: relocked.order.state,
        message: words,
        data: {
          submissionId: version.submission.id,
          updateKey: `${change.updateKey}:${version.submission.id}`,
          answer: answer.kind,
        },
      });
      entries.set(version.entry.submissionId, {
        ...version.entry,
        updated: answer.kind === "updated",
        canUpdate: answer.kind === "unsupported" ? false : version.entry.canUpdate,
        lastAnswer: answer.kind === "updated" ? null : answer.reason,
      });
    });
    // Lines a provider now makes (added in the cart) are its; lines the cart removed go once
    // every provider has the version without them.
    for (const version of versions) {
      if (entries.get(version.entry.submissionId)?.updated) {
        await removeDroppedLines(
          tx,
          shopId,
          orderId,
          change.removedCartLineIds,
          version.provider.id,
        );
        const unassigned = version.items.filter((i) => i.providerId === null).map((i) => i.id);
        if (unassigned.length > 0) {
          await tx
            .update(lineItems)
            .set({ providerId: version.provider.id })
            .where(and(eq(lineItems.shopId, shopId), inArray(lineItems.id, unassigned)));
        }
      }
    }
    await addTimelineEntries(tx, events);
    const failed = [...entries.values()].filter((e) => !e.updated);
    if (stillSame && now) {
      const purchaseOrders = now.purchaseOrders.map((p) => entries.get(p.submissionId) ?? p);
      const done = purchaseOrders.every((p) => p.updated);
      if (done) await removeDroppedLines(tx, shopId, orderId, now.removedCartLineIds);
      await setAlert(
        tx,
        shopId,
        orderId,
        done ? null : alertWithChange({ ...now, purchaseOrders }),
      );
      await refreshOrderSummary(tx, shopId, orderId);
    }
    if (failed.length > 0) {
      return refused(
        `Not updated, and the alert stays: ${failed.map((e) => `${e.lastAnswer ?? ""}`).join("; ")}`,
      );
    }
    if (!stillSame) {
      return succeeded(
        orderId,
        "The provider updated the order, but the cart changed it again meanwhile: read the alert",
      );
    }
    return succeeded(
      orderId,
      `${versions.map((v) => v.provider.name).join(", ")} updated the order`,
    );
  });
}

/** Lines the cart removed go once their provider has the version without them. */
async function removeDroppedLines(
  tx: Tx,
  shopId: string,
  orderId: string,
  cartLineIds: string[],
  providerId?: string,
) {
  if (cartLineIds.length === 0) return;
  await tx
    .delete(lineItems)
    .where(
      and(
        eq(lineItems.shopId, shopId),
        eq(lineItems.orderId, orderId),
        inArray(lineItems.cartLineId, cartLineIds),
        providerId ? eq(lineItems.providerId, providerId) : undefined,
      ),
    );
}

async function setAlert(
  tx: Tx,
  shopId: string,
  orderId: string,
  alert: ReturnType<typeof alertWithChange> | null,
) {
  await tx
    .update(orders)
    .set({ alert, updatedAt: new Date() })
    .where(and(eq(orders.id, orderId), eq(orders.shopId, shopId)));
}

// ---- Cancel and send again --------------------------------------------------------------------

const resendInput = z
  .object({ cancelledWithSupport: z.boolean().optional() })
  .passthrough()
  .optional();

/** OL-1042-1 → OL-1042-1-R2 → OL-1042-1-R3: a new purchase order, readable as the old one's heir. */
export function revisedPoNumber(poNumber: string): string {
  const match = /^(.*)-R(\d+)$/.exec(poNumber);
  return match ? `${match[1]}-R${Number(match[2]) + 1}` : `${poNumber}-R2`;
}

async function cancelAndResend(
  ctx: Ctx,
  shopId: string,
  orderId: string,
  acting: ActingAs,
  input: unknown,
): Promise<ActionOutcome> {
  const parsedInput = resendInput.safeParse(input);
  const bySupport = parsedInput.success && parsedInput.data?.cancelledWithSupport === true;
  const opened = await ctx.db.transaction((tx) =>
    openChange(ctx, tx, shopId, orderId, "cancel_and_resend", acting),
  );
  if (!opened.ok) return opened.outcome;
  const { locked, change, versions } = opened;
  const byHand = versions.filter((v) => !v.entry.canCancel);
  if (byHand.length > 0 && !bySupport) {
    return refused(
      `${byHand.map((v) => v.provider.name).join(", ")} cannot be asked to cancel through its API: ask its support to cancel ${byHand.map((v) => v.entry.poNumber).join(", ")}, then confirm that it is cancelled to send the order again.`,
    );
  }
  // The new version must pass each provider's checks before the old one is cancelled.
  for (const version of versions) {
    if (version.items.length === 0) continue;
    const problems = providerAdapter(ctx, version.provider).validate(
      purchaseOrderOf(ctx, version, locked.order, "validation", version.entry.poNumber),
    );
    if (problems.length > 0) {
      return refused(
        `Nothing was cancelled: the new version would not pass ${version.provider.name}'s checks: ${problems.map((p) => p.message).join("; ")}`,
      );
    }
  }
  const answers = await Promise.all(
    versions.map(async (version): Promise<CancelOutcome> => {
      const { submission } = version;
      if (!version.entry.canCancel) return { kind: "cancelled" };
      if (!submission.providerOrderId) {
        return {
          kind: "refused",
          reason: `${version.entry.poNumber} has no order id at ${version.provider.name}`,
        };
      }
      const providerOrderId = submission.providerOrderId;
      return askProvider(version.provider, (signal) =>
        providerAdapter(ctx, version.provider).cancel(
          { poNumber: submission.poNumber, providerOrderId },
          { signal },
        ),
      );
    }),
  );
  return ctx.db.transaction(async (tx) => {
    const relocked = await lockOrder(tx, shopId, orderId);
    if (!relocked) return NOT_FOUND;
    const events: TimelineEntry[] = [];
    const entry = (message: string, data: Record<string, unknown>): TimelineEntry => ({
      shopId,
      orderId,
      actor: acting.actor,
      actorName: acting.name ?? null,
      action: "cancel_and_resend",
      fromState: relocked.order.state,
      toState: relocked.order.state,
      message,
      data,
    });
    const resent: string[] = [];
    const answered = new Map<string, ChangedPurchaseOrder>();
    const jobs: { shopId: string; submissionId: string }[] = [];
    for (const [i, version] of versions.entries()) {
      const answer = answers[i]!;
      const { submission, provider } = version;
      if (answer.kind !== "cancelled") {
        answered.set(submission.id, { ...version.entry, lastAnswer: answer.reason });
        events.push(
          entry(`${provider.name} did not cancel ${submission.poNumber}: ${answer.reason}`, {
            submissionId: submission.id,
            answer: answer.kind,
          }),
        );
        continue;
      }
      resent.push(submission.id);
      await removeDroppedLines(tx, shopId, orderId, change.removedCartLineIds, provider.id);
      const how = version.entry.canCancel ? "cancelled" : "was cancelled through its support";
      if (version.items.length === 0) {
        await tx
          .update(submissions)
          .set({
            state: "cancelled",
            lastError: "Cancelled: the cart removed its items",
            updatedAt: new Date(),
          })
          .where(eq(submissions.id, submission.id));
        events.push(
          entry(`${provider.name} ${how} ${submission.poNumber}; nothing is left to send it`, {
            submissionId: submission.id,
          }),
        );
        continue;
      }
      // A new purchase order: a new number and a new key, so no provider can take it for the
      // cancelled one (decision 35). The row is re-armed, since one order has one purchase order
      // per provider; the old number, key and provider order id stay on the timeline.
      const poNumber = revisedPoNumber(submission.poNumber);
      const idempotencyKey = `ol_${randomUUID()}`;
      await tx
        .update(submissions)
        .set({
          state: "pending",
          poNumber,
          idempotencyKey,
          providerOrderId: null,
          submittedAt: null,
          lastError: null,
          claimedAt: null,
          claimedBy: null,
          polledAt: null,
          updatedAt: new Date(),
        })
        .where(and(eq(submissions.id, submission.id), eq(submissions.state, "submitted")));
      const unassigned = version.items.filter((it) => it.providerId === null).map((it) => it.id);
      if (unassigned.length > 0) {
        await tx
          .update(lineItems)
          .set({ providerId: provider.id })
          .where(and(eq(lineItems.shopId, shopId), inArray(lineItems.id, unassigned)));
      }
      jobs.push({ shopId, submissionId: submission.id });
      events.push(
        entry(
          `${provider.name} ${how} ${submission.poNumber}; sending the cart's version again as ${poNumber}`,
          {
            submissionId: submission.id,
            cancelled: {
              poNumber: submission.poNumber,
              idempotencyKey: submission.idempotencyKey,
              providerOrderId: submission.providerOrderId,
            },
            resent: { poNumber, idempotencyKey },
          },
        ),
      );
    }
    await addTimelineEntries(tx, events);
    if (jobs.length > 0) {
      await ctx.jobs.sendMany(
        "send-submission",
        jobs.map((data) => ({ data })),
        { tx },
      );
    }
    const now = relocked.order.alert?.cartChange;
    if (now) {
      const purchaseOrders = now.purchaseOrders
        .filter((p) => !resent.includes(p.submissionId))
        .map((p) => answered.get(p.submissionId) ?? p);
      const done = purchaseOrders.every((p) => p.updated);
      if (done) await removeDroppedLines(tx, shopId, orderId, now.removedCartLineIds);
      await setAlert(
        tx,
        shopId,
        orderId,
        done ? null : alertWithChange({ ...now, purchaseOrders }),
      );
    }
    await refreshOrderSummary(tx, shopId, orderId);
    if (answered.size > 0) {
      return refused(
        `Not cancelled, and the alert stays: ${[...answered.values()].map((p) => p.lastAnswer).join("; ")}`,
      );
    }
    return succeeded(orderId, "Cancelled at the provider and sent again as a new purchase order");
  });
}
