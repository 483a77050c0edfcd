// Cancel Order (issue 13, decision 0053): the cart cancels first (Shopify orderCancel followed to the
// end of its job; WooCommerce a refund through the gateway, then status cancelled), and only once it
// has accepted is the order stored as cancelled, its status set to Cancelled and its purchase orders
// withdrawn or asked to cancel, as a cart-side cancel does (fulfillment/cancel.server.ts). What was
// refunded and released is read back from the cart's own transactions, never assumed.
import { and, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { CANCEL_REASONS, type CancelReason } from "~/carts/connector";
import { connectorFor } from "~/carts/connectors.server";
import type { AppContext } from "~/context.server";
import type { Db, DbOrTx } from "~/db/client.server";
import { orders, paymentTransactions, providers, submissions } from "~/db/schema";
import { cancelFulfillment } from "~/fulfillment/cancel.server";
import { addTimelineEntry } from "~/orders/core/timeline.server";
import { openForAction, type ActingAs } from "~/orders/core/transitions.server";
import { cartName } from "~/ui/cart-words";
import { ingestCartOrders } from "./ingest.server";
import { NOT_FOUND, refused, type ActionOutcome } from "./outcome.server";
import { currencyDigits, fromMinor, summarisePayments } from "./payments";
import { rawAfter } from "./set-cart-status.server";

type Ctx = Pick<AppContext, "db" | "jobs" | "shopify" | "config">;

/** The shop status an order cancelled here gets (a default every shop has, decision 0046). */
const CANCELLED_STATUS_KEY = "cancelled";

export const CANCEL_REASON_LABELS: Readonly<Record<CancelReason, string>> = {
  customer: "The customer changed or cancelled the order",
  inventory: "Items unavailable",
  fraud: "Fraudulent order",
  declined: "Payment declined",
  staff: "Staff error",
  other: "Other",
};

export const cancelOrderInput = z.object({
  reason: z.enum(CANCEL_REASONS, {
    message: `reason must be one of ${CANCEL_REASONS.join(", ")}`,
  }),
  notifyCustomer: z.boolean({ message: "notifyCustomer must be true or false" }),
  restock: z.boolean({ message: "restock must be true or false" }).default(true),
});
export type CancelOrderInput = z.infer<typeof cancelOrderInput>;

export type PurchaseOrderOutcome = "withdrawn" | "cancel_requested";

export interface CancelPurchaseOrder {
  poNumber: string;
  provider: string;
  outcome: PurchaseOrderOutcome;
}

/** What Cancel Order will do to this order, worked out from what Orderlane knows now. */
export interface CancelPreview {
  currency: string;
  /** Captured and not refunded: given back to the original payment method. */
  refund: string;
  /** Authorised and not captured: released by the cancel itself. */
  void: string;
  purchaseOrders: CancelPurchaseOrder[];
  /** Why Cancel Order cannot be used on this order now; null when it can. */
  refusal: string | null;
}

export type CancelOrderOutcome =
  | {
      ok: true;
      orderId: string;
      message: string;
      currency: string;
      refunded: string;
      voided: string;
      purchaseOrders: CancelPurchaseOrder[];
      /** False when the cart's transactions could not be read back: the amounts are not known. */
      paymentsReadBack: boolean;
    }
  | Failure;

type Failure = Extract<ActionOutcome, { ok: false }>;
const notFound = NOT_FOUND as Failure;
const refusedWith = (reason: string) => refused(reason) as Failure;

const uuid = z.uuid();

async function paymentSummary(db: DbOrTx, shopId: string, orderId: string, currency: string) {
  const rows = await db
    .select()
    .from(paymentTransactions)
    .where(and(eq(paymentTransactions.orderId, orderId), eq(paymentTransactions.shopId, shopId)));
  return summarisePayments(rows, currency);
}

/** Purchase orders the cancel touches: unsent ones are withdrawn, sent ones asked to cancel. */
async function purchaseOrdersOf(
  db: DbOrTx,
  shopId: string,
  orderId: string,
): Promise<CancelPurchaseOrder[]> {
  const rows = await db
    .select({ poNumber: submissions.poNumber, state: submissions.state, name: providers.name })
    .from(submissions)
    .leftJoin(providers, eq(providers.id, submissions.providerId))
    .where(
      and(
        eq(submissions.orderId, orderId),
        eq(submissions.shopId, shopId),
        inArray(submissions.state, ["pending", "failed", "submitting", "submitted"]),
      ),
    )
    .orderBy(submissions.poNumber);
  return rows.map((r) => ({
    poNumber: r.poNumber,
    provider: r.name ?? "A removed provider",
    outcome: r.state === "pending" || r.state === "failed" ? "withdrawn" : "cancel_requested",
  }));
}

/** The order page's confirmation: what will be refunded, released and withdrawn. */
export async function previewCancel(
  ctx: Ctx,
  shopId: string,
  orderId: string,
  acting: ActingAs,
): Promise<CancelPreview | null> {
  if (!uuid.safeParse(orderId).success) return null;
  return ctx.db.transaction(async (tx) => {
    const opened = await openForAction(tx, shopId, orderId, "cancel_order", acting);
    if (!opened.ok && opened.notFound) return null;
    const order = await tx.query.orders.findFirst({
      where: (o, { and: both, eq: is }) => both(is(o.id, orderId), is(o.shopId, shopId)),
    });
    if (!order) return null;
    const shop = await tx.query.shops.findFirst({ where: (s, { eq: is }) => is(s.id, shopId) });
    const digits = currencyDigits(order.currency);
    const summary = await paymentSummary(tx, shopId, orderId, order.currency);
    const refundable = summary.captured - summary.refunded;
    const canCancel = shop ? connectorFor(ctx, shop).cancelOrder !== undefined : false;
    return {
      currency: order.currency,
      refund: fromMinor(refundable > 0n ? refundable : 0n, digits),
      void: fromMinor(summary.capturable, digits),
      purchaseOrders: await purchaseOrdersOf(tx, shopId, orderId),
      refusal: !opened.ok
        ? opened.reason
        : canCancel
          ? null
          : `${cartName(shop?.platform ?? "")} cannot be asked to cancel from Orderlane; cancel the order in the store.`,
    };
  });
}

/**
 * Cancel Order. Refused by the lifecycle table (a second cancel) or by the cart (in its own words,
 * on the timeline too), nothing changes here; accepted, the order is stored cancelled with its
 * purchase orders withdrawn or asked to cancel, then its transactions are read back from the cart.
 */
export async function cancelOrder(
  ctx: Ctx,
  shopId: string,
  orderId: string,
  input: CancelOrderInput,
  acting: ActingAs,
): Promise<CancelOrderOutcome> {
  if (!uuid.safeParse(orderId).success) return notFound;
  // Looked at without holding the lock over the cart call, which can take seconds.
  const looked = await ctx.db.transaction(async (tx) => {
    const opened = await openForAction(tx, shopId, orderId, "cancel_order", acting);
    if (!opened.ok) return opened;
    const { order } = opened.locked;
    return { ...opened, before: await paymentSummary(tx, shopId, orderId, order.currency) };
  });
  if (!looked.ok) return looked.notFound ? notFound : refusedWith(looked.reason);
  const { order, shop } = looked.locked;
  const digits = currencyDigits(order.currency);
  const refundable = looked.before.captured - looked.before.refunded;
  const cart = cartName(shop.platform);

  const connector = connectorFor(ctx, shop);
  if (!connector.cancelOrder) {
    return refusedWith(
      `${cart} cannot be asked to cancel from Orderlane; cancel the order in the store.`,
    );
  }
  const answer = await connector.cancelOrder(
    { cartOrderId: order.cartOrderId, cartOrderNumber: order.cartOrderNumber },
    {
      reason: input.reason,
      notifyCustomer: input.notifyCustomer,
      restock: input.restock,
      refundAmount: fromMinor(refundable > 0n ? refundable : 0n, digits),
      currency: order.currency,
      staffNote: `Cancelled in Orderlane by ${acting.name ?? "the owner"}: ${CANCEL_REASON_LABELS[input.reason]}`,
    },
  );
  if (!answer.ok) {
    const reason = answer.retryable
      ? `${cart} could not be reached or did not finish, so nothing was changed here; try again in a moment (${answer.reason})`
      : `${cart} refused: ${answer.reason}`;
    await addTimelineEntry(ctx.db, {
      shopId,
      orderId,
      actor: acting.actor,
      actorName: acting.name ?? null,
      action: "cancel_refused",
      message: `Cancel Order was not made: ${reason}`,
      data: { reason: input.reason },
    });
    return refusedWith(reason);
  }

  // The cart cancelled: store it, whatever else happened to the order meanwhile.
  const purchaseOrders = await ctx.db.transaction(async (tx) => {
    const now = new Date();
    const pos = await purchaseOrdersOf(tx, shopId, orderId);
    const [current] = await tx
      .select()
      .from(orders)
      .where(and(eq(orders.id, orderId), eq(orders.shopId, shopId)))
      .for("update");
    if (!current) return pos;
    await tx
      .update(orders)
      .set({
        cartStatus: "cancelled",
        cartStatusRaw: rawAfter(shop.platform, current.cartStatusRaw, "cancel"),
        orderStatusKey: CANCELLED_STATUS_KEY,
        updatedAt: now,
      })
      .where(and(eq(orders.id, orderId), eq(orders.shopId, shopId)));
    await addTimelineEntry(tx, {
      shopId,
      orderId,
      actor: acting.actor,
      actorName: acting.name ?? null,
      action: "order_cancelled",
      message: `Cancelled in ${cart} (${CANCEL_REASON_LABELS[input.reason]}); the customer ${input.notifyCustomer ? "was" : "was not"} emailed`,
      data: { reason: input.reason, notifyCustomer: input.notifyCustomer, restock: input.restock },
    });
    await cancelFulfillment({ ...ctx, db: tx as unknown as Db }, shopId, orderId, acting);
    return pos;
  });

  // What the cart refunded and released, from its own transactions.
  let readBack = true;
  const fetched = await connector.fetchOrder(order.cartOrderId);
  // A read that does not show the cancel yet (a lagging replica) must not undo what was stored.
  const shown = fetched.ok ? fetched.order : null;
  if (shown && (shown.cartStatus === "cancelled" || shown.cartStatus === "refunded")) {
    await ingestCartOrders(ctx, shop, [shown], { source: "cart_answer" });
  } else readBack = false;
  const after = await paymentSummary(ctx.db, shopId, orderId, order.currency);
  const refunded = after.refunded - looked.before.refunded;
  const voided = looked.before.capturable - after.capturable;
  const amounts = {
    refunded: fromMinor(refunded > 0n ? refunded : 0n, digits),
    voided: fromMinor(voided > 0n ? voided : 0n, digits),
  };
  const said = [
    `Cancelled in ${cart}`,
    `refunded ${amounts.refunded} ${order.currency}`,
    `released ${amounts.voided} ${order.currency} authorised`,
  ].join("; ");
  await addTimelineEntry(ctx.db, {
    shopId,
    orderId,
    actor: "cart",
    actorName: null,
    action: "cancel_payments",
    message: readBack
      ? `${cart} refunded ${amounts.refunded} ${order.currency} and released ${amounts.voided} ${order.currency} authorised`
      : `${cart} cancelled the order, but its payments could not be read back; Sync Payments reads them again`,
  });
  return {
    ok: true,
    orderId,
    message: readBack ? said : `Cancelled in ${cart}; use Sync Payments to see the refund`,
    currency: order.currency,
    ...amounts,
    purchaseOrders,
    paymentsReadBack: readBack,
  };
}
