// The owner's shipments: Update Shipment (some or all items, a method from the shop's list, and a
// tracking number when there is one) and one item's delivery state, tracking or method. Allowed by
// one gate (core/shipment-gate.ts) and only for items not yet sent to a provider. A tracking number
// becomes a shipment row and goes to the cart through the same retried push as a provider's parcel
// (fulfillment/tracking.server.ts), so the customer hears of it the same way (decision 0048).
import { and, eq, inArray, notInArray } from "drizzle-orm";
import { z } from "zod";
import type { AppContext } from "~/context.server";
import type { Tx } from "~/db/client.server";
import { lineItems, shipments, submissions } from "~/db/schema";
import { DELIVERY_STATE_LABELS, DELIVERY_STATES, type DeliveryState } from "~/orders/core/model";
import { shipmentChangeGate } from "~/orders/core/shipment-gate";
import { shopSettings } from "~/orders/core/shop-settings";
import { addTimelineEntry } from "~/orders/core/timeline.server";
import { lockOrder, orderFacts, type ActingAs } from "~/orders/core/transitions.server";
import { NOT_FOUND, refused, succeeded, type ActionOutcome } from "./outcome.server";

type Ctx = Pick<AppContext, "db" | "jobs">;

const MAX_TRACKING = 100;

const trackingSchema = z
  .string()
  .trim()
  .min(1, "Enter a tracking number, or leave the field out")
  .max(MAX_TRACKING, `A tracking number is at most ${MAX_TRACKING} characters`)
  .regex(/^[\x21-\x7E ]+$/, "A tracking number holds letters, digits and punctuation only");

const methodSchema = z.string().trim().min(1, "Choose a shipment method").max(80);

export const updateShipmentSchema = z.object({
  lineIds: z.union([
    z.literal("all"),
    z.array(z.string()).min(1, "Choose at least one item").max(500),
  ]),
  shipmentMethod: methodSchema,
  trackingNumber: trackingSchema.optional(),
});
export type UpdateShipmentInput = z.input<typeof updateShipmentSchema>;

export const itemChangeSchema = z
  .object({
    deliveryState: z.enum(DELIVERY_STATES).optional(),
    trackingNumber: trackingSchema.optional(),
    shipmentMethod: methodSchema.optional(),
  })
  .strict()
  .refine(
    (v) =>
      v.deliveryState !== undefined ||
      v.trackingNumber !== undefined ||
      v.shipmentMethod !== undefined,
    { message: "Say what to change: deliveryState, trackingNumber or shipmentMethod" },
  );
export type ItemChangeInput = z.input<typeof itemChangeSchema>;

const uuid = z.uuid();

function invalid(error: z.ZodError): ActionOutcome {
  const fieldErrors: Record<string, string> = {};
  for (const issue of error.issues)
    fieldErrors[issue.path.map(String).join(".") || "form"] ??= issue.message;
  return {
    ok: false,
    code: "invalid",
    reason: Object.values(fieldErrors)[0] ?? "The request is not valid",
    fieldErrors,
  };
}

interface Change {
  /** Our item ids, or every item of the order. */
  lineIds: string[] | "all";
  shipmentMethod?: string;
  trackingNumber?: string;
  deliveryState?: DeliveryState;
}

/** POST /orders/:id/shipments and the Update Shipment modal. */
export async function updateShipment(
  ctx: Ctx,
  shopId: string,
  orderId: string,
  input: unknown,
  acting: ActingAs,
): Promise<ActionOutcome> {
  if (!uuid.safeParse(orderId).success) return NOT_FOUND;
  const parsed = updateShipmentSchema.safeParse(input);
  if (!parsed.success) return invalid(parsed.error);
  return applyChange(ctx, shopId, orderId, parsed.data, acting);
}

/** PATCH /orders/:id/items/:lineId and an item's own Change on the order page. */
export async function changeItem(
  ctx: Ctx,
  shopId: string,
  orderId: string,
  lineId: string,
  input: unknown,
  acting: ActingAs,
): Promise<ActionOutcome> {
  if (!uuid.safeParse(orderId).success || !uuid.safeParse(lineId).success) return NOT_FOUND;
  const parsed = itemChangeSchema.safeParse(input);
  if (!parsed.success) return invalid(parsed.error);
  return applyChange(ctx, shopId, orderId, { lineIds: [lineId], ...parsed.data }, acting);
}

async function applyChange(
  ctx: Ctx,
  shopId: string,
  orderId: string,
  change: Change,
  acting: ActingAs,
): Promise<ActionOutcome> {
  return ctx.db.transaction(async (tx): Promise<ActionOutcome> => {
    const locked = await lockOrder(tx, shopId, orderId);
    if (!locked) return NOT_FOUND;
    const gate = shipmentChangeGate(orderFacts(locked, acting));
    if (!gate.allowed) return refused(gate.reason);

    const items = await tx
      .select()
      .from(lineItems)
      .where(and(eq(lineItems.orderId, orderId), eq(lineItems.shopId, shopId)))
      .orderBy(lineItems.position);
    const chosen =
      change.lineIds === "all" ? items : items.filter((i) => change.lineIds.includes(i.id));
    if (change.lineIds !== "all") {
      const missing = change.lineIds.filter((id) => !items.some((i) => i.id === id));
      if (missing.length > 0) {
        return {
          ok: false,
          code: "not_found",
          reason: `This order has no item ${missing[0]}; choose items of this order.`,
        };
      }
    }
    if (chosen.length === 0) return refused("This order has no items to ship.");

    const sent = await itemsAtProviders(tx, orderId, chosen);
    if (sent.length > 0) {
      return refused(
        `${sent.join(", ")} ${sent.length === 1 ? "was" : "were"} already sent to a provider; its shipment comes from the provider.`,
      );
    }

    const methods = shopSettings(locked.shop).shipmentMethods;
    if (change.shipmentMethod !== undefined && !methods.includes(change.shipmentMethod)) {
      return {
        ok: false,
        code: "invalid",
        reason: `${change.shipmentMethod} is not one of the shop's shipment methods (${methods.join(", ")}); add it in Settings first.`,
        fieldErrors: { shipmentMethod: "Choose one of the shop's shipment methods" },
      };
    }

    let shipmentId: string | null = null;
    if (change.trackingNumber !== undefined) {
      // One parcel carries one method: the items travel together, and a different method is a
      // different parcel with its own tracking.
      const method = change.shipmentMethod ?? chosen[0]!.shipmentMethod;
      const mixed = chosen.some((i) => (change.shipmentMethod ?? i.shipmentMethod) !== method);
      if (!method || mixed) {
        return {
          ok: false,
          code: "invalid",
          reason: "Choose the shipment method these items travel by, so the parcel has one.",
          fieldErrors: { shipmentMethod: "Choose a shipment method" },
        };
      }
      const [inserted] = await tx
        .insert(shipments)
        .values({
          shopId,
          orderId,
          carrier: null,
          shipmentMethod: method,
          trackingNumber: change.trackingNumber,
          shippedAt: new Date(),
          items: chosen.map((i) => ({ lineItemId: i.id, quantity: i.quantity })),
        })
        .onConflictDoNothing()
        .returning({ id: shipments.id });
      if (!inserted) {
        return refused(
          `Tracking number ${change.trackingNumber} is already on another shipment of this order; each parcel has its own.`,
        );
      }
      shipmentId = inserted.id;
    }

    const deliveryState: DeliveryState | undefined =
      change.deliveryState ?? (change.trackingNumber !== undefined ? "shipped" : undefined);
    const set: Partial<typeof lineItems.$inferInsert> = {};
    if (change.shipmentMethod !== undefined) set.shipmentMethod = change.shipmentMethod;
    if (deliveryState !== undefined) set.deliveryState = deliveryState;
    if (Object.keys(set).length > 0) {
      await tx
        .update(lineItems)
        .set(set)
        .where(
          and(
            eq(lineItems.shopId, shopId),
            inArray(
              lineItems.id,
              chosen.map((i) => i.id),
            ),
          ),
        );
    }

    const message = describe(chosen, items.length, change, deliveryState);
    await addTimelineEntry(tx, {
      shopId,
      orderId,
      actor: acting.actor,
      actorName: acting.name ?? null,
      action: "update_shipment",
      message,
      data: shipmentId ? { shipmentId } : undefined,
    });
    if (shipmentId) {
      // In the same transaction: the parcel and its push are stored together or not at all.
      await ctx.jobs.send("push-tracking", { shopId, shipmentId }, { tx });
    }
    return succeeded(orderId, message);
  });
}

/** Titles of the chosen items whose provider already has (or is getting) their purchase order. */
async function itemsAtProviders(
  tx: Tx,
  orderId: string,
  chosen: { providerId: string | null; title: string }[],
): Promise<string[]> {
  const providerIds = [...new Set(chosen.map((i) => i.providerId).filter((p) => p !== null))];
  if (providerIds.length === 0) return [];
  const live = await tx
    .select({ providerId: submissions.providerId })
    .from(submissions)
    .where(
      and(
        eq(submissions.orderId, orderId),
        inArray(submissions.providerId, providerIds),
        notInArray(submissions.state, ["failed", "cancelled"]),
      ),
    );
  const atProvider = new Set(live.map((s) => s.providerId));
  return chosen.filter((i) => i.providerId && atProvider.has(i.providerId)).map((i) => i.title);
}

function describe(
  chosen: { title: string }[],
  total: number,
  change: Change,
  deliveryState: DeliveryState | undefined,
): string {
  const which =
    chosen.length === total && total > 1
      ? `All ${total} items`
      : chosen.length === 1
        ? chosen[0]!.title
        : `${chosen.length} items`;
  const parts: string[] = [];
  if (change.shipmentMethod !== undefined) parts.push(`ship by ${change.shipmentMethod}`);
  if (change.trackingNumber !== undefined) parts.push(`tracking ${change.trackingNumber}`);
  if (deliveryState !== undefined) parts.push(DELIVERY_STATE_LABELS[deliveryState].toLowerCase());
  return `${which}: ${parts.join(", ")}`;
}
