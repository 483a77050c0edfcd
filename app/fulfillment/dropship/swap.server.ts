// SKU swapping: when more than one distributor carries an item's product, the owner switches the
// item to another distributor's SKU, before it is sent or after its purchase order was rejected or
// cancelled. It is a manual edit (Reset undoes it), recorded in the timeline with both SKUs; the
// next purchase order for the item goes to the new distributor.
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { AppContext } from "~/context.server";
import { lineItems, orders, providers } from "~/db/schema";
import { decide } from "~/orders/core/lifecycle";
import { addTimelineEntry } from "~/orders/core/timeline.server";
import { lockOrder, orderFacts, type ActingAs } from "~/orders/core/transitions.server";
import { orderLineKinds } from "./order-lines.server";
import { carriedItemsFor } from "./sku-map.server";

export const swapInputSchema = z.object({
  distributorId: z.uuid("Unknown distributor"),
  sku: z.string().trim().min(1, "Choose the distributor's SKU").max(200),
});
export type SwapInput = z.infer<typeof swapInputSchema>;

export type SwapResult =
  | { ok: true; message: string; from: { distributor: string | null; sku: string | null } }
  | { ok: false; status: 404 | 409; code: string; message: string };

const fail = (status: 404 | 409, code: string, message: string): SwapResult => ({
  ok: false,
  status,
  code,
  message,
});

export async function swapItemSku(
  ctx: Pick<AppContext, "db">,
  shopId: string,
  orderId: string,
  lineId: string,
  input: SwapInput,
  acting: ActingAs,
): Promise<SwapResult> {
  if (!z.uuid().safeParse(orderId).success || !z.uuid().safeParse(lineId).success) {
    return fail(404, "not_found", "No such item on an order of this shop");
  }
  return ctx.db.transaction(async (tx) => {
    const locked = await lockOrder(tx, shopId, orderId);
    if (!locked) return fail(404, "not_found", "No order with this id in this shop");
    const [line] = await tx
      .select()
      .from(lineItems)
      .where(
        and(eq(lineItems.id, lineId), eq(lineItems.orderId, orderId), eq(lineItems.shopId, shopId)),
      );
    if (!line) return fail(404, "unknown_item", "The item is not one of this order's items");
    const [distributor] = await tx
      .select()
      .from(providers)
      .where(
        and(
          eq(providers.id, input.distributorId),
          eq(providers.shopId, shopId),
          eq(providers.kind, "distributor"),
        ),
      );
    if (!distributor)
      return fail(404, "unknown_distributor", "No distributor with this id in this shop");

    // A swap is a manual edit: allowed where Edit is (never once everything was sent).
    const decision = decide("edit", orderFacts(locked, acting));
    if (!decision.allowed) return fail(409, "refused", decision.reason);
    const kinds = await orderLineKinds(tx, shopId, [line]);
    if (kinds.sent.has(line.id)) {
      return fail(
        409,
        "already_ordered",
        `${line.title} is on a purchase order that stands; it can be swapped only before it is sent or after its purchase order was rejected or cancelled`,
      );
    }
    const carried = line.sku
      ? ((await carriedItemsFor(tx, shopId, [line.sku])).get(line.sku) ?? [])
      : [];
    const target = carried.find((c) => c.providerId === distributor.id && c.sku === input.sku);
    if (!target) {
      return fail(
        409,
        "not_carried",
        `${distributor.name} does not carry ${line.title} as SKU ${input.sku}`,
      );
    }
    const [previous] = line.providerId
      ? await tx
          .select({ name: providers.name, kind: providers.kind })
          .from(providers)
          .where(and(eq(providers.id, line.providerId), eq(providers.shopId, shopId)))
      : [];
    const fromSku = previous?.kind === "distributor" ? (line.distributorSku ?? line.sku) : line.sku;
    const fromDistributor = previous?.kind === "distributor" ? previous.name : null;
    if (line.providerId === distributor.id && line.distributorSku === input.sku) {
      return fail(
        409,
        "unchanged",
        `${line.title} already goes to ${distributor.name} as ${input.sku}`,
      );
    }
    await tx
      .update(lineItems)
      .set({ providerId: distributor.id, distributorSku: input.sku })
      .where(eq(lineItems.id, line.id));
    const key = `lineItem:${line.cartLineId}:distributor`;
    const edits = { ...(locked.order.manualEdits ?? {}) };
    edits[key] = {
      // What Reset goes back to: the item as imported, with no distributor chosen.
      from: edits[key]?.from ?? null,
      to: { distributorId: distributor.id, sku: input.sku },
      at: new Date().toISOString(),
      by: acting.name ?? acting.actor,
    };
    await tx
      .update(orders)
      .set({ manualEdits: edits, updatedAt: new Date() })
      .where(and(eq(orders.id, orderId), eq(orders.shopId, shopId)));
    const message = `${line.title}: SKU ${fromSku ?? "(none)"}${fromDistributor ? ` at ${fromDistributor}` : ""} swapped for SKU ${input.sku} at ${distributor.name}`;
    await addTimelineEntry(tx, {
      shopId,
      orderId,
      actor: acting.actor,
      actorName: acting.name ?? null,
      action: "sku_swapped",
      message,
      data: {
        lineItemId: line.id,
        from: {
          sku: fromSku,
          distributorId: previous?.kind === "distributor" ? line.providerId : null,
        },
        to: { sku: input.sku, distributorId: distributor.id },
      },
    });
    return { ok: true, message, from: { distributor: fromDistributor, sku: fromSku } };
  });
}
