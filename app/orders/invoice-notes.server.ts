// The order's invoice number and notes (DESIGN §9, decision 0047). Both are written to the cart
// first, where it has a place for them, and stored only once it accepts; a refusal changes nothing
// here and is written on the timeline in the cart's own words.
import { and, asc, eq, ne } from "drizzle-orm";
import { connectorFor } from "~/carts/connectors.server";
import type { DbOrTx } from "~/db/client.server";
import { orderNotes, orders, shops } from "~/db/schema";
import { addTimelineEntry } from "~/orders/core/timeline.server";
import type { ActingAs } from "~/orders/core/transitions.server";
import { cartName } from "~/ui/cart-words";
import type { CartChangeCtx } from "./cart-changes.server";
import { isOrderId } from "./order-status.server";
import { NOT_FOUND, refused, type ActionOutcome } from "./outcome.server";

export const INVOICE_MAX = 64;
export const NOTE_MAX = 2000;

/** Why customer notes are not offered on Shopify orders, shown on the page and answered by the API. */
export const SHOPIFY_CUSTOMER_NOTE_REFUSAL =
  "Shopify has no notes for the customer on an order: its one order note holds what the customer wrote at checkout, which Orderlane must not overwrite. Internal notes are kept in Orderlane.";

export type OrderNoteRow = typeof orderNotes.$inferSelect;

async function findOrder(db: DbOrTx, shopId: string, orderId: string) {
  if (!isOrderId(orderId)) return null;
  const [row] = await db
    .select({ order: orders, shop: shops })
    .from(orders)
    .innerJoin(shops, eq(shops.id, orders.shopId))
    .where(and(eq(orders.id, orderId), eq(orders.shopId, shopId)))
    .limit(1);
  return row ?? null;
}

/** The order of this shop that has the invoice number already, other than `orderId`. */
async function invoiceHolder(db: DbOrTx, shopId: string, invoiceNumber: string, orderId: string) {
  const [holder] = await db
    .select({ id: orders.id, number: orders.cartOrderNumber })
    .from(orders)
    .where(
      and(
        eq(orders.shopId, shopId),
        eq(orders.invoiceNumber, invoiceNumber),
        ne(orders.id, orderId),
      ),
    )
    .limit(1);
  return holder ?? null;
}

const taken = (invoiceNumber: string, number: string): ActionOutcome =>
  refused(
    `Invoice number ${invoiceNumber} is already on order ${number}; each order needs its own.`,
  );

function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown; cause?: { code?: unknown } } | null) ?? null;
  return code?.code === "23505" || code?.cause?.code === "23505";
}

/**
 * Saves the invoice number (null or blank clears it): unique in the shop, written to the cart
 * first (Shopify: a metafield in the app's namespace; WooCommerce: order meta).
 */
export async function saveInvoiceNumber(
  ctx: CartChangeCtx,
  shopId: string,
  orderId: string,
  input: string | null,
  acting: ActingAs,
): Promise<ActionOutcome> {
  const found = await findOrder(ctx.db, shopId, orderId);
  if (!found) return NOT_FOUND;
  const { order, shop } = found;
  const wanted = input?.trim() ? input.trim() : null;
  if (wanted === order.invoiceNumber) {
    return {
      ok: true,
      message: wanted ? `The invoice number is already ${wanted}` : "There is no invoice number",
      orderId,
    };
  }
  if (wanted) {
    const holder = await invoiceHolder(ctx.db, shopId, wanted, orderId);
    if (holder) return taken(wanted, holder.number);
  }

  const ref = { cartOrderId: order.cartOrderId, cartOrderNumber: order.cartOrderNumber };
  const connector = connectorFor(ctx, shop);
  const answer = await connector.setInvoiceNumber(ref, wanted);
  if (!answer.ok) {
    const reason = answer.retryable
      ? `${cartName(shop.platform)} could not be reached, so the invoice number was not saved; try again in a moment (${answer.reason})`
      : `${cartName(shop.platform)} refused: ${answer.reason}`;
    await addTimelineEntry(ctx.db, {
      shopId,
      orderId,
      actor: acting.actor,
      actorName: acting.name ?? null,
      action: "invoice_refused",
      message: `Invoice number ${wanted ?? "(none)"} was not saved: ${reason}`,
    });
    return refused(reason);
  }

  try {
    await ctx.db.transaction(async (tx) => {
      await tx
        .update(orders)
        .set({ invoiceNumber: wanted, updatedAt: new Date() })
        .where(and(eq(orders.id, orderId), eq(orders.shopId, shopId)));
      await addTimelineEntry(tx, {
        shopId,
        orderId,
        actor: acting.actor,
        actorName: acting.name ?? null,
        action: wanted ? "invoice_saved" : "invoice_cleared",
        message: wanted
          ? order.invoiceNumber
            ? `Invoice number ${order.invoiceNumber} → ${wanted}`
            : `Invoice number ${wanted}`
          : `Invoice number ${order.invoiceNumber ?? ""} removed`,
      });
    });
  } catch (err) {
    if (!wanted || !isUniqueViolation(err)) throw err;
    // Another order took the number while the cart was asked: the cart gets the old one back.
    await connector.setInvoiceNumber(ref, order.invoiceNumber).catch(() => undefined);
    const holder = await invoiceHolder(ctx.db, shopId, wanted, orderId);
    return taken(wanted, holder?.number ?? "another order");
  }
  return {
    ok: true,
    message: wanted ? `Invoice number ${wanted} saved` : "Invoice number removed",
    orderId,
  };
}

export async function listOrderNotes(
  db: DbOrTx,
  shopId: string,
  orderId: string,
): Promise<OrderNoteRow[]> {
  return db
    .select()
    .from(orderNotes)
    .where(and(eq(orderNotes.shopId, shopId), eq(orderNotes.orderId, orderId)))
    .orderBy(asc(orderNotes.createdAt), asc(orderNotes.id));
}

export type NoteOutcome =
  { ok: true; message: string; note: OrderNoteRow } | Extract<ActionOutcome, { ok: false }>;

/**
 * Adds a note. WooCommerce: an order note in the store (private, or `customer_note`, which the
 * store emails to the customer). Shopify: internal notes are kept here and on the timeline;
 * customer notes are refused (see SHOPIFY_CUSTOMER_NOTE_REFUSAL).
 */
export async function addOrderNote(
  ctx: CartChangeCtx,
  shopId: string,
  orderId: string,
  input: { text: string; visibleToCustomer: boolean },
  acting: ActingAs,
): Promise<NoteOutcome> {
  const found = await findOrder(ctx.db, shopId, orderId);
  if (!found) return NOT_FOUND as Extract<ActionOutcome, { ok: false }>;
  const { order, shop } = found;
  const text = input.text.trim();
  if (input.visibleToCustomer && shop.platform === "shopify") {
    return { ok: false, code: "refused", reason: SHOPIFY_CUSTOMER_NOTE_REFUSAL };
  }
  const kind = input.visibleToCustomer ? "Note for the customer" : "Internal note";
  const answer = await connectorFor(ctx, shop).addOrderNote(
    { cartOrderId: order.cartOrderId, cartOrderNumber: order.cartOrderNumber },
    { text, visibleToCustomer: input.visibleToCustomer },
  );
  if (!answer.ok) {
    const reason = answer.retryable
      ? `${cartName(shop.platform)} could not be reached, so the note was not added; try again in a moment (${answer.reason})`
      : `${cartName(shop.platform)} refused: ${answer.reason}`;
    await addTimelineEntry(ctx.db, {
      shopId,
      orderId,
      actor: acting.actor,
      actorName: acting.name ?? null,
      action: "note_refused",
      message: `${kind} was not added: ${reason}`,
    });
    return { ok: false, code: "refused", reason };
  }
  const note = await ctx.db.transaction(async (tx) => {
    const [stored] = await tx
      .insert(orderNotes)
      .values({
        shopId,
        orderId,
        actor: acting.actor,
        authorName: acting.name ?? null,
        text,
        visibleToCustomer: input.visibleToCustomer,
        cartNoteId: answer.cartNoteId,
      })
      .returning();
    await addTimelineEntry(tx, {
      shopId,
      orderId,
      actor: acting.actor,
      actorName: acting.name ?? null,
      action: input.visibleToCustomer ? "customer_note_added" : "note_added",
      message: text.length > 200 ? `${text.slice(0, 199)}…` : text,
    });
    return stored!;
  });
  const where =
    answer.cartNoteId !== null
      ? input.visibleToCustomer
        ? ` and sent to the customer by ${cartName(shop.platform)}`
        : ` and written to ${cartName(shop.platform)}`
      : "";
  return { ok: true, message: `${kind} added${where}`, note };
}
