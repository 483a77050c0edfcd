// What providers tell us after accepting an order: shipped (with tracking), rejected, cancelled.
// The route verifies and stores each event as a receipt (deduped by the provider's event id) and
// queues it; the worker applies it here, idempotently.
import { and, eq, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { AppContext } from "~/context.server";
import type { Tx } from "~/db/client.server";
import { lineItems, shipments, shops, submissions, webhookReceipts } from "~/db/schema";
import { addTimelineEntry } from "~/orders/core/timeline.server";
import { lockOrder } from "~/orders/core/transitions.server";
import type { ProviderEvent } from "./provider";
import { findProviderById, providerAdapter } from "./providers.server";
import { alertOf } from "~/orders/core/alerts";
import { recordProviderRefusal } from "./provider-refusal.server";
import { queueFlowTrigger } from "~/carts/shopify/flow-triggers.server";

type Ctx = Pick<AppContext, "db" | "jobs" | "config">;

export interface EventAnswer {
  status: number;
  body: { received: number; duplicates: number } | { error: { code: string; message: string } };
}

const error = (status: number, code: string, message: string): EventAnswer => ({
  status,
  body: { error: { code, message } },
});

export async function receiveProviderEvents(
  ctx: Ctx,
  providerId: string,
  request: { rawBody: string; headers: Headers; url: URL },
): Promise<EventAnswer> {
  if (!z.uuid().safeParse(providerId).success) {
    return error(404, "unknown_provider", "No provider has this id");
  }
  const row = await findProviderById(ctx.db, providerId);
  if (!row) return error(404, "unknown_provider", "No provider has this id");
  const adapter = providerAdapter(ctx, row);
  const parsed = adapter.parseEvent(request);
  if (!parsed.ok) {
    return error(
      parsed.status,
      parsed.status === 401 ? "unauthorized" : "invalid_event",
      parsed.message,
    );
  }

  let received = 0;
  let duplicates = 0;
  for (const event of parsed.events) {
    const outcome = await ctx.db.transaction((tx) => storeProviderEvent(ctx, tx, row, event));
    if (outcome === "unknown") {
      return error(
        404,
        "unknown_order",
        `No purchase order matches ${event.providerOrderId ?? event.poNumber ?? "this event"}`,
      );
    }
    if (outcome === "duplicate") duplicates++;
    else received++;
  }
  return { status: 200, body: { received, duplicates } };
}

/**
 * Stores one provider event as a receipt (deduped by the provider's event id) and queues it, in
 * the caller's transaction. Events that match no purchase order are kept, unqueued, for support.
 * Only an event that was queued is a duplicate: one refused as unknown is looked at again when
 * the provider retries it (docs/provider-protocol.md: same event id), and queued once its
 * purchase order is known; otherwise the shipment it reports would be lost.
 */
export async function storeProviderEvent(
  ctx: Pick<AppContext, "jobs">,
  tx: Tx,
  provider: { id: string; shopId: string },
  event: ProviderEvent,
): Promise<"queued" | "duplicate" | "unknown"> {
  const [shop] = await tx.select().from(shops).where(eq(shops.id, provider.shopId)).limit(1);
  const submission = await findSubmission(tx, provider.shopId, provider.id, event);
  const [receipt] = await tx
    .insert(webhookReceipts)
    .values({
      shopId: provider.shopId,
      source: "provider",
      shopDomain: shop?.domain ?? "",
      deliveryId: `${provider.id}:${event.eventId}`,
      topic: `provider/${event.type}`,
      payload: { providerId: provider.id, submissionId: submission?.id ?? null, event },
      error: submission ? null : "No purchase order of this provider matches the event",
    })
    .onConflictDoUpdate({
      target: [webhookReceipts.source, webhookReceipts.deliveryId],
      set: { payload: sql`excluded.payload`, error: sql`excluded.error` },
      // A receipt names its submission exactly when its job was queued; one without was refused.
      // The row is locked here, so of two retries at once only the first can queue the event.
      setWhere: sql`${webhookReceipts.payload}->>'submissionId' is null`,
    })
    .returning({ id: webhookReceipts.id });
  if (!receipt) return "duplicate";
  if (!submission) return "unknown";
  await ctx.jobs.send("process-webhook", { receiptId: receipt.id }, { tx });
  return "queued";
}

async function findSubmission(tx: Tx, shopId: string, providerId: string, event: ProviderEvent) {
  const keys = [
    event.providerOrderId ? eq(submissions.providerOrderId, event.providerOrderId) : undefined,
    event.poNumber ? eq(submissions.poNumber, event.poNumber) : undefined,
  ].filter((k) => k !== undefined);
  if (keys.length === 0) return undefined;
  const [row] = await tx
    .select()
    .from(submissions)
    .where(and(eq(submissions.shopId, shopId), eq(submissions.providerId, providerId), or(...keys)))
    .limit(1);
  return row;
}

const storedEvent = z.object({
  providerId: z.string(),
  submissionId: z.string(),
  event: z.custom<ProviderEvent>((v) => typeof v === "object" && v !== null && "type" in v),
});

/** Applies one stored provider event (the process-webhook job for provider receipts). */
export async function applyProviderEvent(
  ctx: Pick<AppContext, "db" | "jobs">,
  payload: unknown,
): Promise<void> {
  const { submissionId, event } = storedEvent.parse(payload);
  await ctx.db.transaction(async (tx) => {
    const [submission] = await tx
      .select()
      .from(submissions)
      .where(eq(submissions.id, submissionId))
      .limit(1);
    if (!submission) return;
    const locked = await lockOrder(tx, submission.shopId, submission.orderId);
    if (!locked) return;
    const { order } = locked;

    if (event.type === "shipped") {
      const providerItems = await tx
        .select({ id: lineItems.id, quantity: lineItems.quantity })
        .from(lineItems)
        .where(
          and(eq(lineItems.orderId, order.id), eq(lineItems.providerId, submission.providerId)),
        );
      const known = new Set(providerItems.map((i) => i.id));
      const items =
        event.shipment.items === "all"
          ? providerItems.map((i) => ({ lineItemId: i.id, quantity: i.quantity }))
          : event.shipment.items
              .filter((i) => known.has(i.lineId))
              .map((i) => ({ lineItemId: i.lineId, quantity: i.quantity }));
      const [shipment] = await tx
        .insert(shipments)
        .values({
          shopId: order.shopId,
          orderId: order.id,
          submissionId: submission.id,
          carrier: event.shipment.carrier,
          trackingNumber: event.shipment.trackingNumber,
          trackingUrl: event.shipment.trackingUrl,
          shippedAt: new Date(event.shipment.shippedAt),
          items,
        })
        .onConflictDoNothing()
        .returning({ id: shipments.id });
      if (!shipment) return; // the same parcel reported again
      await markShippedItems(tx, order.shopId, order.id);
      await addTimelineEntry(tx, {
        shopId: order.shopId,
        orderId: order.id,
        actor: "provider",
        action: "shipment",
        message: `Shipped by ${event.shipment.carrier ?? "carrier"}, tracking ${event.shipment.trackingNumber}`,
        data: { shipmentId: shipment.id, trackingUrl: event.shipment.trackingUrl },
      });
      await ctx.jobs.send(
        "push-tracking",
        { shopId: order.shopId, shipmentId: shipment.id },
        { tx },
      );
      return;
    }

    const reason =
      event.type === "rejected"
        ? `${event.reason}`
        : `The provider cancelled the order${event.reason ? `: ${event.reason}` : ""}`;
    await tx
      .update(submissions)
      .set({
        state: event.type === "rejected" ? "failed" : "cancelled",
        lastError: reason,
        updatedAt: new Date(),
      })
      .where(eq(submissions.id, submission.id));
    const alert =
      event.type === "rejected"
        ? alertOf(
            "provider_rejected",
            reason,
            "Fix what the provider objects to (Edit the order), then Reprocess",
          )
        : alertOf(
            "provider_cancelled",
            reason,
            "Contact the provider, or Reset the order to send it again",
          );
    await recordProviderRefusal(tx, locked, {
      alert,
      submissionId: submission.id,
      timelineAction: event.type === "rejected" ? "provider_rejected" : "provider_cancelled",
    });
    // Refused after accepting it (events are stored once each, so the event's id is the key).
    if (event.type === "rejected") {
      await queueFlowTrigger(
        tx,
        ctx.jobs,
        order.shopId,
        "submission_failed",
        {
          orderId: order.id,
          providerId: submission.providerId,
          reason: alert.message,
          alertCode: alert.code,
        },
        `submission:${submission.id}:rejected:${event.eventId}`,
      );
    }
  });
}

/** An item is shipped once its shipments add up to its quantity (partial shipments count). */
async function markShippedItems(tx: Tx, shopId: string, orderId: string): Promise<void> {
  await tx.execute(sql`
    update line_item li set delivery_state = 'shipped'
    where li.order_id = ${orderId} and li.shop_id = ${shopId} and li.delivery_state in ('pending', 'processing')
      and li.quantity <= (
        select coalesce(sum((entry->>'quantity')::int), 0)
        from shipment s, jsonb_array_elements(s.items) entry
        where s.order_id = li.order_id and entry->>'lineItemId' = li.id::text)
  `);
}
