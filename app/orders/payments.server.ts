// An order's payments: the cart's transactions mirrored in `payment_transaction`, the status and
// amounts worked out from them (payments.ts), Sync Payments (read the order from the cart again) and
// Capture (through the cart; the new transaction is stored before the owner gets the answer).
import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import type { AppContext } from "~/context.server";
import { connectorFor } from "~/carts/connectors.server";
import { paymentTransactions } from "~/db/schema";
import { addTimelineEntry } from "~/orders/core/timeline.server";
import { lockOrder, type ActingAs } from "~/orders/core/transitions.server";
import { ingestCartOrders } from "./ingest.server";
import { NOT_FOUND, succeeded, type ActionOutcome } from "./outcome.server";
import {
  currencyDigits,
  fromMinor,
  summarisePayments,
  toMinor,
  type PaymentStatus,
} from "./payments";

type Ctx = Pick<AppContext, "db" | "jobs" | "shopify" | "config">;

export interface OrderPayments {
  status: PaymentStatus;
  currency: string;
  capturable: string;
  captured: string;
  refunded: string;
  /** Why nothing can be captured here although money is authorised; null otherwise. */
  captureUnavailable: string | null;
  transactions: {
    id: string;
    kind: "authorization" | "capture" | "refund" | "void";
    status: string;
    amount: string;
    gateway: string | null;
    parentId: string | null;
    createdAt: string;
    error: string | null;
  }[];
}

const uuid = z.uuid();

/** The payments of one order of the shop; null when the shop has no such order. */
export async function readPayments(
  ctx: Ctx,
  shopId: string,
  orderId: string,
): Promise<OrderPayments | null> {
  if (!uuid.safeParse(orderId).success) return null;
  const order = await ctx.db.query.orders.findFirst({
    where: (o, { and: both, eq: is }) => both(is(o.id, orderId), is(o.shopId, shopId)),
  });
  if (!order) return null;
  const shop = await ctx.db.query.shops.findFirst({ where: (s, { eq: is }) => is(s.id, shopId) });
  if (!shop) return null;
  const rows = await ctx.db
    .select()
    .from(paymentTransactions)
    .where(and(eq(paymentTransactions.orderId, orderId), eq(paymentTransactions.shopId, shopId)))
    .orderBy(asc(paymentTransactions.createdAt));
  const digits = currencyDigits(order.currency);
  const summary = summarisePayments(rows, order.currency);
  const byCartId = new Map(rows.map((r) => [r.cartTransactionId, r.id]));
  const canCapture = connectorFor(ctx, shop).capturePayment !== undefined;
  return {
    status: summary.status,
    currency: order.currency,
    capturable: fromMinor(canCapture ? summary.capturable : 0n, digits),
    captured: fromMinor(summary.captured, digits),
    refunded: fromMinor(summary.refunded, digits),
    captureUnavailable:
      !canCapture && summary.capturable > 0n
        ? "This store's payment gateway captures the authorised payment itself; capture it in the store's own order page."
        : null,
    transactions: rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      status: r.status,
      amount: fromMinor(toMinor(trimmed(r.amount, digits), digits) ?? 0n, digits),
      gateway: r.gateway,
      parentId: r.parentCartTransactionId
        ? (byCartId.get(r.parentCartTransactionId) ?? null)
        : null,
      createdAt: (r.processedAt ?? r.createdAt).toISOString(),
      error: r.errorMessage,
    })),
  };
}

/** numeric(14,4) as stored, cut to the currency's decimals (the cart never sends more). */
function trimmed(amount: string, digits: number): string {
  const [whole = "0", fraction = ""] = amount.split(".");
  return digits === 0 ? whole : `${whole}.${fraction.slice(0, digits)}`;
}

/** Sync Payments: the order as the cart has it now, stored through the usual door. */
export async function syncPayments(
  ctx: Ctx,
  shopId: string,
  orderId: string,
  acting: ActingAs,
): Promise<ActionOutcome> {
  if (!uuid.safeParse(orderId).success) return NOT_FOUND;
  const looked = await ctx.db.transaction((tx) => lockOrder(tx, shopId, orderId));
  if (!looked) return NOT_FOUND;
  const fetched = await connectorFor(ctx, looked.shop).fetchOrder(looked.order.cartOrderId);
  if (!fetched.ok) {
    return {
      ok: false,
      code: "refused",
      reason: fetched.retryable
        ? `The cart could not be reached, so nothing was read; try again in a moment (${fetched.reason})`
        : fetched.reason,
    };
  }
  if (!fetched.order)
    return { ok: false, code: "refused", reason: "The cart no longer has this order." };
  await ingestCartOrders(ctx, looked.shop, [fetched.order], { source: "cart_answer" });
  await addTimelineEntry(ctx.db, {
    shopId,
    orderId,
    actor: acting.actor,
    actorName: acting.name ?? null,
    action: "payments_synced",
    message: "Payments read again from the cart",
  });
  return succeeded(orderId, "Payments read again from the cart");
}

const amountSchema = z.string({ message: 'Give the amount as a decimal string, such as "12.34"' });

/**
 * Capture: checked against what can be captured before anything goes to the cart; the cart's
 * transaction is stored, with its timeline row, before the answer.
 */
export async function capturePayment(
  ctx: Ctx,
  shopId: string,
  orderId: string,
  input: unknown,
  acting: ActingAs,
): Promise<ActionOutcome> {
  if (!uuid.safeParse(orderId).success) return NOT_FOUND;
  const body = z.object({ amount: amountSchema }).safeParse(input);
  if (!body.success) {
    const message = body.error.issues[0]?.message ?? "Give the amount to capture";
    return { ok: false, code: "invalid", reason: message, fieldErrors: { amount: message } };
  }
  const payments = await readPayments(ctx, shopId, orderId);
  if (!payments) return NOT_FOUND;
  const digits = currencyDigits(payments.currency);
  const invalid = (reason: string): ActionOutcome => ({
    ok: false,
    code: "invalid",
    reason,
    fieldErrors: { amount: reason },
  });
  const text = body.data.amount.trim();
  if (!/^-?\d+(\.\d+)?$/.test(text)) return invalid(`"${body.data.amount}" is not an amount`);
  const minor = toMinor(text, digits);
  if (minor === null) {
    return invalid(
      `${payments.currency} amounts have ${digits === 0 ? "no decimals" : `at most ${digits} decimals`}`,
    );
  }
  if (minor < 0n) return invalid("The amount to capture cannot be negative");
  if (minor === 0n) return invalid("The amount to capture must be more than zero");
  if (payments.captureUnavailable)
    return { ok: false, code: "refused", reason: payments.captureUnavailable };
  const capturable = toMinor(payments.capturable, digits) ?? 0n;
  if (capturable === 0n) {
    return {
      ok: false,
      code: "refused",
      reason: "Nothing on this order is waiting to be captured.",
    };
  }
  if (minor > capturable) {
    return invalid(
      `At most ${payments.capturable} ${payments.currency} can be captured; ${text} is more than that`,
    );
  }

  const order = await ctx.db.query.orders.findFirst({
    where: (o, { and: both, eq: is }) => both(is(o.id, orderId), is(o.shopId, shopId)),
  });
  const shop = await ctx.db.query.shops.findFirst({ where: (s, { eq: is }) => is(s.id, shopId) });
  if (!order || !shop) return NOT_FOUND;
  const connector = connectorFor(ctx, shop);
  if (connector.capturesInFullOnly && minor !== capturable) {
    return invalid(
      `This store's payment gateway captures the whole authorisation only: capture ${payments.capturable} ${payments.currency}`,
    );
  }
  const rows = await ctx.db
    .select()
    .from(paymentTransactions)
    .where(and(eq(paymentTransactions.orderId, orderId), eq(paymentTransactions.shopId, shopId)));
  const open = summarisePayments(rows, order.currency).openAuthorization;
  if (!open)
    return {
      ok: false,
      code: "refused",
      reason: "Nothing on this order is waiting to be captured.",
    };
  const amount = fromMinor(minor, digits);
  const capture = connector.capturePayment!;
  const outcome = await capture({
    cartOrderId: order.cartOrderId,
    parentCartTransactionId: open.cartTransactionId,
    amount,
    currency: order.currency,
    finalCapture: minor >= open.remaining,
  });
  if (!outcome.ok) {
    const reason = outcome.retryable
      ? `The cart could not be reached, so nothing was captured; try again in a moment (${outcome.reason})`
      : outcome.reason;
    await addTimelineEntry(ctx.db, {
      shopId,
      orderId,
      actor: "cart",
      action: "capture_refused",
      message: `Capture of ${amount} ${order.currency} refused: ${reason}`,
    });
    return { ok: false, code: "refused", reason };
  }
  const t = outcome.transaction;
  await ctx.db.transaction(async (tx) => {
    const locked = await lockOrder(tx, shopId, orderId);
    if (!locked) return;
    const [known] = t.cartTransactionId
      ? await tx
          .select({ id: paymentTransactions.id })
          .from(paymentTransactions)
          .where(
            and(
              eq(paymentTransactions.orderId, orderId),
              eq(paymentTransactions.cartTransactionId, t.cartTransactionId),
            ),
          )
          .limit(1)
      : [];
    // A webhook may have brought the capture already: the cart's id says it is the same one.
    if (!known) {
      await tx.insert(paymentTransactions).values({
        shopId,
        orderId,
        kind: t.kind,
        amount: t.amount,
        currency: t.currency,
        status: t.status,
        gateway: t.gateway,
        cartTransactionId: t.cartTransactionId,
        parentCartTransactionId: t.parentCartTransactionId ?? open.cartTransactionId,
        processedAt: t.processedAt ?? null,
        errorMessage: t.errorMessage ?? null,
      });
    }
    await addTimelineEntry(tx, {
      shopId,
      orderId,
      actor: acting.actor,
      actorName: acting.name ?? null,
      action: "payment_captured",
      message: `Captured ${amount} ${order.currency}${t.gateway ? ` through ${t.gateway}` : ""}`,
    });
  });
  return succeeded(orderId, `Captured ${amount} ${order.currency}`);
}
