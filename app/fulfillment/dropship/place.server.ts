// Placing a drop-ship purchase order (the Dropship form and POST /api/v1/orders/:id/dropship).
//
// The owner chose a distributor for some items and confirmed that this places a real order. One
// purchase order per distributor is created as a submission, exactly like every other: the order
// row is locked, the lifecycle table decides (Dropship), the rows are written in one transaction
// with a send job, and the send job claims the submission before calling the distributor and
// sends the same idempotency key on every attempt (decision 0052).
import { randomUUID } from "node:crypto";
import { and, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { AppContext } from "~/context.server";
import type { Tx } from "~/db/client.server";
import { lineItems, orders, providers, submissions } from "~/db/schema";
import { decide } from "~/orders/core/lifecycle";
import type { Address } from "~/orders/core/model";
import { shopSettings } from "~/orders/core/shop-settings";
import { refreshOrderSummary } from "~/orders/core/summary.server";
import {
  lockOrder,
  orderFacts,
  transition,
  type ActingAs,
  type LockedOrder,
} from "~/orders/core/transitions.server";
import { addressSchema } from "~/orders/order-edit";
import { providerAdapter } from "../providers.server";
import { buildPurchaseOrder, loadItems, type LineItemRow } from "../purchase-orders.server";
import type { ValidationProblem } from "../provider";
import { dropshipEligibility, ineligibleWords } from "./eligibility.server";
import { orderLineKinds } from "./order-lines.server";

export const MAX_PO_NUMBER_LENGTH = 40;

export const poNumberSchema = z
  .string({ message: "The PO number must be text" })
  .trim()
  .min(1, "Enter a PO number")
  .max(MAX_PO_NUMBER_LENGTH, `A PO number is at most ${MAX_PO_NUMBER_LENGTH} characters`)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    "A PO number has letters, digits, dots, dashes and underscores only",
  );

export const dropshipInputSchema = z.object({
  poNumber: poNumberSchema.optional(),
  shippingAddress: addressSchema.optional(),
  items: z
    .array(
      z.object({ lineId: z.uuid("Unknown item"), distributorId: z.uuid("Unknown distributor") }),
    )
    .min(1, "Choose at least one item to drop-ship")
    .max(100),
  confirm: z.literal(true, {
    message: "Tick the box confirming that this places a real order with the distributor",
  }),
});
export type DropshipInput = z.infer<typeof dropshipInputSchema>;

export type PlaceResult =
  | {
      ok: true;
      /** True when this exact purchase order was placed before (a retried request). */
      replayed: boolean;
      purchaseOrders: { id: string; poNumber: string; distributor: string; lineIds: string[] }[];
    }
  | {
      ok: false;
      status: 404 | 409 | 422;
      code: string;
      message: string;
      problems?: ValidationProblem[];
    };

type Ctx = Pick<AppContext, "db" | "jobs" | "config">;

const fail = (
  status: 404 | 409 | 422,
  code: string,
  message: string,
  problems?: ValidationProblem[],
): PlaceResult => ({ ok: false, status, code, message, ...(problems ? { problems } : {}) });

/** A readable PO number no purchase order of the shop has yet: DS-1042, then DS-1042-2… */
export async function suggestPoNumber(
  db: Ctx["db"] | Tx,
  shopId: string,
  orderNumber: string,
): Promise<string> {
  const base = `DS-${orderNumber.replace(/[^A-Za-z0-9-]/g, "") || "ORDER"}`.slice(0, 32);
  const taken = await db
    .select({ poNumber: submissions.poNumber })
    .from(submissions)
    .where(and(eq(submissions.shopId, shopId), sql`${submissions.poNumber} like ${`${base}%`}`));
  const used = new Set(taken.map((t) => t.poNumber.toLowerCase()));
  if (!used.has(base.toLowerCase())) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}-${n}`;
    if (!used.has(candidate.toLowerCase())) return candidate;
  }
}

/** Who has this PO number in the shop, in words the owner can act on; null when it is free. */
export async function poNumberHolder(
  db: Ctx["db"] | Tx,
  shopId: string,
  poNumber: string,
): Promise<{ id: string; orderId: string; words: string } | null> {
  const [row] = await db
    .select({
      id: submissions.id,
      orderId: submissions.orderId,
      poNumber: submissions.poNumber,
      orderNumber: orders.cartOrderNumber,
      distributor: providers.name,
    })
    .from(submissions)
    .innerJoin(orders, eq(orders.id, submissions.orderId))
    .innerJoin(providers, eq(providers.id, submissions.providerId))
    .where(
      and(eq(submissions.shopId, shopId), sql`lower(${submissions.poNumber}) = lower(${poNumber})`),
    )
    .limit(1);
  if (!row) return null;
  return {
    id: row.id,
    orderId: row.orderId,
    words: `PO number ${row.poNumber} is already used by the purchase order to ${row.distributor} for order ${row.orderNumber}`,
  };
}

export async function placeDropshipOrder(
  ctx: Ctx,
  shopId: string,
  orderId: string,
  input: DropshipInput,
  acting: ActingAs,
): Promise<PlaceResult> {
  if (!z.uuid().safeParse(orderId).success) {
    return fail(404, "not_found", "No order with this id in this shop");
  }
  return ctx.db.transaction(async (tx) => {
    const locked = await lockOrder(tx, shopId, orderId);
    if (!locked) return fail(404, "not_found", "No order with this id in this shop");
    const items = await loadItems(tx, shopId, orderId);
    const byId = new Map(items.map((i) => [i.id, i]));
    const unknownItem = input.items.find((i) => !byId.has(i.lineId));
    if (unknownItem) return fail(404, "unknown_item", "An item is not one of this order's items");
    if (new Set(input.items.map((i) => i.lineId)).size !== input.items.length) {
      return fail(422, "invalid_request", "An item is listed twice");
    }
    const distributorIds = [...new Set(input.items.map((i) => i.distributorId))];
    const distributors = await tx
      .select()
      .from(providers)
      .where(
        and(
          eq(providers.shopId, shopId),
          eq(providers.kind, "distributor"),
          inArray(providers.id, distributorIds),
        ),
      );
    if (distributors.length !== distributorIds.length) {
      return fail(404, "unknown_distributor", "No distributor with this id in this shop");
    }
    const disabled = distributors.find((d) => !d.enabled);
    if (disabled) {
      return fail(409, "distributor_disabled", `${disabled.name} is disabled in Settings`);
    }

    // A retried request (same PO number, order, distributor and items) answers what it placed.
    const replay = await replayOf(tx, shopId, orderId, input);
    if (replay) return replay;

    const kinds = await orderLineKinds(tx, shopId, items);
    const alreadySent = input.items.find((i) => kinds.sent.has(i.lineId));
    if (alreadySent) {
      const item = byId.get(alreadySent.lineId)!;
      return fail(
        409,
        "already_ordered",
        `${item.title} was already sent; an item is never ordered twice`,
      );
    }

    // Eligibility now, under the lock: the feed may have changed since the form was opened.
    const chosen = input.items.map((i) => byId.get(i.lineId)!);
    const judged = await dropshipEligibility(tx, shopId, chosen);
    const skuFor = new Map<string, string>();
    for (const [index, pick] of input.items.entries()) {
      const line = judged[index]!;
      const item = chosen[index]!;
      const distributor = distributors.find((d) => d.id === pick.distributorId)!;
      const option = line.options.find((o) => o.providerId === pick.distributorId);
      if (option) {
        skuFor.set(item.id, option.sku);
        continue;
      }
      const other = line.others.find((o) => o.providerId === pick.distributorId);
      const why = other
        ? ineligibleWords(other.reason)
        : line.reason && line.reason.code !== "not_carried"
          ? `${distributor.name} does not carry it`
          : ineligibleWords(line.reason ?? { code: "not_carried" });
      return fail(
        409,
        "not_eligible",
        `${item.title} cannot be drop-shipped by ${distributor.name}: ${why}`,
      );
    }

    // Open once every item was sent: after this PO, are any items of the order still unsent?
    const placing = new Set(input.items.map((i) => i.lineId));
    const itemsLeftAfter = items.some((i) => !kinds.sent.has(i.id) && !placing.has(i.id));
    const facts = { ...orderFacts(locked, acting), itemsLeftAfter };
    const decision = decide("dropship", facts);
    if (!decision.allowed) return fail(409, "refused", decision.reason);

    const poNumbers = await poNumbersFor(tx, shopId, locked, input.poNumber, distributorIds);
    if (!poNumbers.ok) return poNumbers.result;

    const address: Address | null = input.shippingAddress ?? locked.order.shippingAddress;
    const problems: ValidationProblem[] = [];
    for (const distributor of distributors) {
      const mine = chosen.filter(
        (item) => input.items.find((i) => i.lineId === item.id)!.distributorId === distributor.id,
      );
      const po = buildPurchaseOrder({
        order: { ...locked.order, shippingAddress: address },
        items: mine,
        providerId: distributor.id,
        poNumber: poNumbers.byDistributor.get(distributor.id)!,
        idempotencyKey: "validation",
        publicUrl: ctx.config.publicUrl,
        rules: shopSettings(locked.shop).routingRules,
      });
      problems.push(...providerAdapter(ctx, distributor).validate(po));
    }
    if (problems.length > 0) {
      return fail(
        422,
        "invalid_address",
        problems.map((p) => `${p.message}. ${p.fix}`).join(" "),
        problems,
      );
    }

    const placed: Extract<PlaceResult, { ok: true }>["purchaseOrders"] = [];
    for (const distributor of distributors) {
      const lineIds = input.items
        .filter((i) => i.distributorId === distributor.id)
        .map((i) => i.lineId);
      const row = await writePurchaseOrder(tx, {
        shopId,
        orderId,
        distributorId: distributor.id,
        poNumber: poNumbers.byDistributor.get(distributor.id)!,
        lineIds,
        shippingAddress: input.shippingAddress ?? null,
        placedBy: acting.name ?? null,
      });
      if (!row.ok) return row.result;
      for (const lineId of lineIds) {
        await tx
          .update(lineItems)
          .set({ providerId: distributor.id, distributorSku: skuFor.get(lineId)! })
          .where(and(eq(lineItems.id, lineId), eq(lineItems.shopId, shopId)));
      }
      await ctx.jobs.send("send-submission", { shopId, submissionId: row.id }, { tx });
      placed.push({ id: row.id, poNumber: row.poNumber, distributor: distributor.name, lineIds });
    }
    await transition(tx, locked, {
      action: "dropship",
      acting,
      facts,
      message: placed
        .map(
          (p) =>
            `Purchase order ${p.poNumber} placed with ${p.distributor} for ${p.lineIds.length} item${p.lineIds.length === 1 ? "" : "s"}`,
        )
        .join("; "),
      data: { purchaseOrders: placed.map((p) => ({ id: p.id, poNumber: p.poNumber })) },
      set: { autoSubmitAt: null, autoSubmitRemainingMs: null },
    });
    await refreshOrderSummary(tx, shopId, orderId);
    return { ok: true, replayed: false, purchaseOrders: placed };
  });
}

async function replayOf(
  tx: Tx,
  shopId: string,
  orderId: string,
  input: DropshipInput,
): Promise<PlaceResult | null> {
  if (!input.poNumber) return null;
  const distributorIds = [...new Set(input.items.map((i) => i.distributorId))];
  if (distributorIds.length !== 1) return null;
  const [existing] = await tx
    .select({ submission: submissions, distributor: providers.name })
    .from(submissions)
    .innerJoin(providers, eq(providers.id, submissions.providerId))
    .where(
      and(
        eq(submissions.shopId, shopId),
        eq(submissions.orderId, orderId),
        eq(submissions.providerId, distributorIds[0]!),
        eq(submissions.dropship, true),
        sql`lower(${submissions.poNumber}) = lower(${input.poNumber})`,
      ),
    )
    .limit(1);
  if (!existing) return null;
  const same =
    [...existing.submission.lineIds].sort().join() ===
    input.items
      .map((i) => i.lineId)
      .sort()
      .join();
  if (!same) return null;
  return {
    ok: true,
    replayed: true,
    purchaseOrders: [
      {
        id: existing.submission.id,
        poNumber: existing.submission.poNumber,
        distributor: existing.distributor,
        lineIds: existing.submission.lineIds,
      },
    ],
  };
}

/** One PO number per distributor: the owner's (checked) for the first, the next free ones after. */
async function poNumbersFor(
  tx: Tx,
  shopId: string,
  locked: LockedOrder,
  given: string | undefined,
  distributorIds: string[],
): Promise<{ ok: true; byDistributor: Map<string, string> } | { ok: false; result: PlaceResult }> {
  const byDistributor = new Map<string, string>();
  if (given) {
    const holder = await poNumberHolder(tx, shopId, given);
    if (holder) return { ok: false, result: fail(409, "po_number_taken", holder.words) };
  }
  const first = given ?? (await suggestPoNumber(tx, shopId, locked.order.cartOrderNumber));
  byDistributor.set(distributorIds[0]!, first);
  for (const [index, id] of distributorIds.slice(1).entries()) {
    let candidate = `${first}-${index + 2}`;
    for (let n = index + 3; await poNumberHolder(tx, shopId, candidate); n++) {
      candidate = `${first}-${n}`;
    }
    byDistributor.set(id, candidate);
  }
  return { ok: true, byDistributor };
}

/**
 * The submission row. An order has one purchase order per distributor (the database says so): a
 * refused or cancelled one is placed again on the same row, under its own idempotency key, so the
 * distributor recognises a retry of an attempt that may have reached it.
 */
async function writePurchaseOrder(
  tx: Tx,
  values: {
    shopId: string;
    orderId: string;
    distributorId: string;
    poNumber: string;
    lineIds: string[];
    shippingAddress: Address | null;
    placedBy: string | null;
  },
): Promise<{ ok: true; id: string; poNumber: string } | { ok: false; result: PlaceResult }> {
  const now = new Date();
  const [row] = await tx
    .insert(submissions)
    .values({
      ...values,
      providerId: values.distributorId,
      idempotencyKey: `ol_${randomUUID()}`,
      dropship: true,
      state: "pending",
    })
    .onConflictDoUpdate({
      target: [submissions.orderId, submissions.providerId],
      set: {
        poNumber: values.poNumber,
        lineIds: values.lineIds,
        shippingAddress: values.shippingAddress,
        placedBy: values.placedBy,
        dropship: true,
        state: "pending",
        attempts: 0,
        lastError: null,
        overdueAt: null,
        polledAt: null,
        createdAt: now,
        updatedAt: now,
      },
      setWhere: inArray(submissions.state, ["failed", "cancelled"]),
    })
    .returning({ id: submissions.id, poNumber: submissions.poNumber });
  if (row) return { ok: true, ...row };
  const [standing] = await tx
    .select({ poNumber: submissions.poNumber })
    .from(submissions)
    .where(
      and(
        eq(submissions.orderId, values.orderId),
        eq(submissions.providerId, values.distributorId),
      ),
    );
  return {
    ok: false,
    result: fail(
      409,
      "already_ordered",
      `This order already has purchase order ${standing?.poNumber ?? ""} with this distributor; an order has one purchase order per distributor`,
    ),
  };
}

export type { LineItemRow };
