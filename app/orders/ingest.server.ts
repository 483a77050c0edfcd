// Orders arriving from a cart (webhook or Import) become rows here, and nowhere else. A batch is
// stored in one transaction, in named steps: lock what we have, insert the new orders, apply the
// updates (keeping the owner's edits), record the timeline; then the lifecycle follows the cart
// (`cart-changes.server.ts`).
import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { NormalizedLineItem, NormalizedOrder } from "~/carts/connector";
import { queryRows, type Db, type Tx } from "~/db/client.server";
import { recordsetInsert, recordsetUpdate } from "~/db/recordset.server";
import { lineItems, orderEvents, orders, paymentTransactions } from "~/db/schema";
import { initialState } from "~/orders/core/lifecycle";
import { CART_STATUS_LABELS, ORDER_TYPE_LABELS, type ManualEdits } from "~/orders/core/model";
import { shopSettings, type ShopSettings } from "~/orders/core/shop-settings";
import { customerPlace } from "~/orders/core/places";
import { refreshOrderSummaries } from "~/orders/core/summary.server";
import { timelineRow, type TimelineEntry } from "~/orders/core/timeline.server";
import type { OrderRow } from "~/orders/core/transitions.server";
import type { Shop } from "~/shops/shops.server";
import {
  followCartStatus,
  noticeChangeAfterSent,
  type CartChangeCtx,
  type ChangedOrder,
} from "./cart-changes.server";
import { countdownDueAt, scheduleAutoSubmits } from "./countdown.server";
import { designKey } from "./design-edit.server";
import { EDITABLE_FIELDS, type EditableField } from "./order-edit";
import { orderTypeFor } from "./order-type";
import { formatMoney } from "~/ui/format";

export type IngestCtx = CartChangeCtx;

export interface IngestOutcome {
  cartOrderId: string;
  /**
   * created / updated: stored; stale: older than what we have, ignored; archived: the owner archived
   * it, so it is never re-imported; skipped: not an order we keep (a checkout draft, say).
   */
  /** `unchanged`: the same version as the one stored (a re-import, a redelivery); nothing written. */
  outcome: "created" | "updated" | "unchanged" | "stale" | "archived" | "skipped";
  orderId: string | null;
  reason?: string;
}

export interface IngestVia {
  /**
   * webhook: the cart told us; import: the owner's Import; cart_answer: the cart's reply to
   * something we wrote to it; reconciliation: the sweep found what no webhook brought.
   */
  source: "webhook" | "import" | "cart_answer" | "reconciliation";
}

/** How the timeline says a new order arrived. */
const ARRIVED_VIA: Record<IngestVia["source"], string> = {
  webhook: "Received from the cart",
  import: "Imported from the cart (Import)",
  cart_answer: "Received from the cart",
  reconciliation: "Recovered by reconciliation: the cart had it, but no webhook brought it",
};

interface Existing {
  order: OrderRow;
  anythingSent: boolean;
}

/** The columns an incoming order sets, before the owner's edits are laid over them. */
function cartColumns(o: NormalizedOrder) {
  return {
    cartOrderNumber: o.cartOrderNumber,
    cartStatusRaw: o.cartStatusRaw,
    cartStatus: o.cartStatus,
    customerName: o.customerName,
    customerEmail: o.customerEmail,
    billingAddress: o.billingAddress,
    shippingAddress: o.shippingAddress,
    currency: o.currency,
    subtotal: o.subtotal,
    shippingTotal: o.shippingTotal,
    taxTotal: o.taxTotal,
    total: o.total,
    paymentMethod: o.paymentMethod,
    shippingMethod: o.shippingMethod,
    sourceChannel: o.sourceChannel,
    note: o.note,
    cartCreatedAt: o.cartCreatedAt,
    cartUpdatedAt: o.cartUpdatedAt,
    rawPayload: o.raw ?? null,
  };
}

/** Newest version of each order in the batch (a page may carry the same order twice). */
function newestPerOrder(incoming: NormalizedOrder[]): NormalizedOrder[] {
  const byId = new Map<string, NormalizedOrder>();
  for (const o of incoming) {
    const seen = byId.get(o.cartOrderId);
    if (!seen || o.cartUpdatedAt.getTime() >= seen.cartUpdatedAt.getTime()) {
      byId.set(o.cartOrderId, o);
    }
  }
  return [...byId.values()];
}

function lineRow(shopId: string, orderId: string, line: NormalizedLineItem, position: number) {
  return {
    shopId,
    orderId,
    position,
    cartLineId: line.cartLineId,
    sku: line.sku,
    cartProductId: line.cartProductId,
    cartVariantId: line.cartVariantId,
    productUrl: line.productUrl,
    title: line.title,
    style: line.style,
    quantity: line.quantity,
    price: line.price,
    mockupUrl: line.mockupUrl,
    personalization: line.personalization,
  };
}
type LineRow = ReturnType<typeof lineRow>;

const sameJson = (a: unknown, b: unknown) => stableJson(a) === stableJson(b);

/** JSON with object keys sorted: jsonb stores keys in its own order, so plain text would differ. */
function stableJson(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
        )
      : v,
  );
}

// The columns a cart's line sets; the rest (provider, delivery) are ours and survive an update.
const CART_LINE_COLUMNS = [
  "position",
  "sku",
  "cart_product_id",
  "cart_variant_id",
  "product_url",
  "title",
  "style",
  "quantity",
  "price",
  "mockup_url",
  "personalization",
].map((name) => sql.identifier(name));

/**
 * The orders' lines written in one statement from one JSON parameter. A line the cart sent
 * unchanged is left as it is (most updates change an order's status, not its lines), so it costs
 * no new row version; numeric and jsonb are compared by value, not by spelling.
 */
function upsertLines(rows: readonly LineRow[]): SQL {
  const list = sql.join(CART_LINE_COLUMNS, sql`, `);
  const excluded = sql.join(
    CART_LINE_COLUMNS.map((c) => sql`excluded.${c}`),
    sql`, `,
  );
  const current = sql.join(
    CART_LINE_COLUMNS.map((c) => sql`${lineItems}.${c}`),
    sql`, `,
  );
  return sql`${recordsetInsert(lineItems, rows)}
    on conflict (order_id, cart_line_id) do update set (${list}) = (${excluded})
    where (${current}) is distinct from (${excluded})`;
}

/**
 * Stores what the cart says about these orders (one transaction for the batch): creates or updates
 * each, keeps the owner's manual edits, ignores updates older than the stored watermark, never
 * brings back archived orders, and moves the lifecycle when the cart status changed (on-hold pauses
 * the countdown, processing resumes it, cancelled/refunded stops it and cancels what it can).
 */
export async function ingestCartOrders(
  ctx: IngestCtx,
  shop: Shop,
  incoming: NormalizedOrder[],
  via: IngestVia,
): Promise<IngestOutcome[]> {
  const outcomes = new Map<string, IngestOutcome>();
  const batch: NormalizedOrder[] = [];
  for (const o of newestPerOrder(incoming)) {
    // WooCommerce's block checkout keeps an unfinished cart as an order; it is nobody's order yet.
    if (o.cartStatusRaw === "checkout-draft") {
      outcomes.set(o.cartOrderId, {
        cartOrderId: o.cartOrderId,
        outcome: "skipped",
        orderId: null,
        reason: "A checkout draft is not an order yet",
      });
    } else batch.push(o);
  }
  if (batch.length > 0) {
    await ctx.db.transaction(async (tx) => {
      for (const outcome of await ingestBatch(ctx, tx, shop, batch, via)) {
        outcomes.set(outcome.cartOrderId, outcome);
      }
    });
  }
  // In the order the caller gave them (duplicates answered alike).
  return incoming.map((o) => {
    const outcome = outcomes.get(o.cartOrderId) ?? {
      cartOrderId: o.cartOrderId,
      outcome: "skipped" as const,
      orderId: null,
      // Stored by someone else and removed again while this batch ran: the next delivery decides.
      reason: "The order changed while it was being stored; it will be read again",
    };
    return { ...outcome, cartOrderId: o.cartOrderId };
  });
}

async function lockExisting(tx: Tx, shopId: string, cartOrderIds: string[]) {
  if (cartOrderIds.length === 0) return new Map<string, Existing>();
  const rows = await tx
    .select({
      order: orders,
      // Spelt out: in a single-table select Drizzle leaves columns unqualified, and a bare "id"
      // inside the subquery would mean the submission's own id.
      anythingSent: sql<boolean>`exists (select 1 from submission s where s.order_id = "order"."id"
        and (s.attempts > 0 or s.state in ('submitted', 'submitting')))`,
    })
    .from(orders)
    .where(and(eq(orders.shopId, shopId), inArray(orders.cartOrderId, cartOrderIds)))
    // Same order as any other batch touching these orders, so two batches never deadlock.
    .orderBy(orders.id)
    .for("update", { of: orders });
  return new Map(rows.map((r) => [r.order.cartOrderId, r]));
}

async function ingestBatch(
  ctx: IngestCtx,
  tx: Tx,
  shop: Shop,
  batch: NormalizedOrder[],
  via: IngestVia,
): Promise<IngestOutcome[]> {
  const now = new Date();
  let existing = await lockExisting(
    tx,
    shop.id,
    batch.map((o) => o.cartOrderId),
  );
  const inserted = await insertNewOrders(
    tx,
    shop,
    batch.filter((o) => !existing.has(o.cartOrderId)),
    via,
    now,
  );
  // Stored by another worker since we looked: treated as updates.
  if (inserted.raced.length > 0) {
    existing = new Map([...existing, ...(await lockExisting(tx, shop.id, inserted.raced))]);
  }
  const createdIds = new Set(inserted.created.map((order) => order.cartOrderId));
  const known = sortKnown(
    batch.filter((o) => !createdIds.has(o.cartOrderId)),
    existing,
  );
  const updated = await applyUpdates(tx, shop, known.updates, via, now);
  await refreshOrderSummaries(
    tx,
    shop.id,
    updated.changes.map((change) => change.after.id),
  );
  await recordTimeline(tx, [...inserted.events, ...updated.events]);

  // The lifecycle follows the cart: countdowns start, pause, resume or stop.
  await scheduleAutoSubmits(
    ctx.jobs,
    tx,
    inserted.created.flatMap((order) =>
      order.autoSubmitAt ? [{ order, dueAt: order.autoSubmitAt }] : [],
    ),
  );
  const inTx = { ...ctx, db: tx as unknown as Db };
  for (const change of updated.changes) {
    if (change.anythingSent) await noticeChangeAfterSent(tx, shop, change);
    await followCartStatus(inTx, tx, shop, change.before, change.after, now);
  }
  return [...inserted.outcomes, ...known.outcomes, ...updated.outcomes];
}

/**
 * New orders: one multi-row insert for the orders, one for their lines, one for their payments.
 * An order another worker stored since we looked is not inserted; it comes back in `raced`.
 */
async function insertNewOrders(
  tx: Tx,
  shop: Shop,
  fresh: NormalizedOrder[],
  via: IngestVia,
  now: Date,
): Promise<{
  created: OrderRow[];
  raced: string[];
  outcomes: IngestOutcome[];
  events: TimelineEntry[];
}> {
  if (fresh.length === 0) return { created: [], raced: [], outcomes: [], events: [] };
  const settings = shopSettings(shop);
  const rows = fresh.map((o) => {
    const lifecycle = {
      state: initialState({ processingMode: settings.processingMode, cartStatus: o.cartStatus }),
      type: orderTypeFor(o, settings),
      cartStatus: o.cartStatus,
    };
    return {
      shopId: shop.id,
      cartOrderId: o.cartOrderId,
      ...cartColumns(o),
      ...customerPlace(o.shippingAddress, o.billingAddress),
      ...lifecycle,
      // What refreshOrderSummaries would compute: a new order has its lines and no submission.
      itemCount: o.lineItems.reduce((sum, line) => sum + line.quantity, 0),
      // The countdown starts with the row (its job is queued by the caller, in this transaction).
      autoSubmitAt: countdownDueAt(lifecycle, shop, now),
    };
  });
  // Only the keys come back: echoing every raw payload back would cost more than the insert.
  const stored = await queryRows<{
    id: string;
    cart_order_id: string;
    created_at: Date;
    updated_at: Date;
  }>(
    tx,
    sql`${recordsetInsert(orders, rows)}
      on conflict (shop_id, cart_order_id) do nothing
      returning id, cart_order_id, created_at, updated_at`,
  );
  const byCartId = new Map(fresh.map((o, i) => [o.cartOrderId, { o, row: rows[i]! }]));
  const created = stored.map((r) => {
    const { o, row } = byCartId.get(r.cart_order_id)!;
    const order: OrderRow = {
      ...row,
      id: r.id,
      createdAt: new Date(r.created_at),
      updatedAt: new Date(r.updated_at),
      // The columns the insert left to their defaults.
      submitStatus: null,
      submitFailureReason: null,
      autoSubmitRemainingMs: null,
      orderStatusKey: "new",
      invoiceNumber: null,
      alert: null,
      manualEdits: null,
    };
    return { order, incoming: o };
  });
  const storedIds = new Set(stored.map((r) => r.cart_order_id));
  const lines = created.flatMap(({ order, incoming }) =>
    incoming.lineItems.map((line, i) => lineRow(shop.id, order.id, line, i)),
  );
  if (lines.length > 0) await tx.execute(recordsetInsert(lineItems, lines));
  const payments = created.flatMap(({ order, incoming }) =>
    incoming.payments.map((p) => ({ shopId: shop.id, orderId: order.id, ...p })),
  );
  if (payments.length > 0) await tx.execute(recordsetInsert(paymentTransactions, payments));
  return {
    created: created.map((c) => c.order),
    raced: fresh.map((o) => o.cartOrderId).filter((id) => !storedIds.has(id)),
    outcomes: created.map(({ order }) => ({
      cartOrderId: order.cartOrderId,
      outcome: "created",
      orderId: order.id,
    })),
    events: created.map(({ order }) => ({
      shopId: shop.id,
      orderId: order.id,
      actor: "cart",
      action: "imported",
      toState: order.state,
      message: ARRIVED_VIA[via.source],
      data: { cartStatus: order.cartStatus, via: via.source },
    })),
  };
}

interface KnownUpdate {
  before: Existing;
  incoming: NormalizedOrder;
}

/**
 * Orders we already have: archived ones are never touched, a version older than the stored one
 * is stale, the same version again changes nothing; the rest are updates to apply.
 */
function sortKnown(
  batch: NormalizedOrder[],
  existing: Map<string, Existing>,
): { updates: KnownUpdate[]; outcomes: IngestOutcome[] } {
  const updates: KnownUpdate[] = [];
  const outcomes: IngestOutcome[] = [];
  for (const o of batch) {
    const found = existing.get(o.cartOrderId);
    if (!found) continue;
    const { order } = found;
    const answer = (outcome: IngestOutcome["outcome"], reason: string) =>
      outcomes.push({ cartOrderId: o.cartOrderId, outcome, orderId: order.id, reason });
    if (order.state === "archived") {
      answer("archived", "Archived orders are kept as they are and never imported again");
    } else if (o.cartUpdatedAt.getTime() < order.cartUpdatedAt.getTime()) {
      answer(
        "stale",
        `Older (${o.cartUpdatedAt.toISOString()}) than the version stored (${order.cartUpdatedAt.toISOString()})`,
      );
    } else if (
      o.cartUpdatedAt.getTime() === order.cartUpdatedAt.getTime() &&
      stableJson(order.rawPayload) === stableJson(o.raw ?? null)
    ) {
      // The same version again (a re-import, a redelivery): nothing to write.
      answer("unchanged", "Unchanged");
    } else updates.push({ before: found, incoming: o });
  }
  return { updates, outcomes };
}

type StoredLine = { id: string; orderId: string; cartLineId: string } & Pick<
  LineRow,
  "personalization" | "title" | "quantity" | "productUrl"
>;

/** One known order with the cart's new version laid under the owner's edits. */
interface MergedUpdate {
  set: Partial<OrderRow>;
  lines: LineRow[];
  /** Lines the cart dropped that can go (nothing was sent with them). */
  removedLineIds: string[];
  /** What changed, by field, for the timeline. */
  changed: string[];
  /** Lines the cart dropped that stay because they were already sent. */
  keptLines: number;
}

/**
 * The cart's new version of an order, merged with what we hold: the owner's edits stand (the
 * cart's value is remembered so Reset can restore it), lines the cart dropped go unless the order
 * was already sent with them, and the type is worked out again.
 */
function mergeCartUpdate(
  { order, anythingSent }: Existing,
  o: NormalizedOrder,
  stored: StoredLine[],
  settings: ShopSettings,
  now: Date,
): MergedUpdate {
  const edits: ManualEdits = { ...(order.manualEdits ?? {}) };
  const columns = cartColumns(o);
  const changed: string[] = [];
  const kept: Partial<Pick<OrderRow, EditableField>> = {};
  for (const field of EDITABLE_FIELDS) {
    const edit = edits[field];
    if (edit) {
      edits[field] = { ...edit, from: columns[field] };
      Object.assign(kept, { [field]: order[field] });
    } else if (!sameJson(order[field], columns[field])) changed.push(field);
  }
  if (order.cartStatus !== columns.cartStatus) changed.push("cartStatus");
  // Amounts compare as money: the cart's 31.00 is the 31.0000 we stored.
  if (!sameAmount(order.total, columns.total)) changed.push("total");
  if (order.currency !== columns.currency) changed.push("currency");
  const shipping = (edits.shippingAddress ? order.shippingAddress : o.shippingAddress) ?? null;
  const billing = (edits.billingAddress ? order.billingAddress : o.billingAddress) ?? null;

  const lines = o.lineItems.map((line, i) => {
    const key = designKey(line.cartLineId);
    const edit = edits[key];
    const current = stored.find((b) => b.cartLineId === line.cartLineId);
    let personalization = line.personalization;
    if (edit) {
      edits[key] = { ...edit, from: line.personalization };
      personalization = current ? current.personalization : (edit.to as typeof personalization);
    }
    // Shopify's order webhooks name no product page, its Admin API does: an update without one
    // keeps the page we know rather than taking "View product on the store" away.
    const productUrl = line.productUrl ?? current?.productUrl ?? null;
    return lineRow(order.shopId, order.id, { ...line, personalization, productUrl }, i);
  });
  const incomingLineIds = new Set(o.lineItems.map((l) => l.cartLineId));
  const added = o.lineItems.filter((l) => !stored.some((b) => b.cartLineId === l.cartLineId));
  const dropped = stored.filter((b) => !incomingLineIds.has(b.cartLineId));
  if (added.length > 0 || dropped.length > 0) changed.push("lineItems");

  const type = orderTypeFor({ sourceChannel: o.sourceChannel, lineItems: lines }, settings);
  if (type !== order.type) changed.push("type");
  return {
    set: {
      ...columns,
      ...kept,
      ...customerPlace(shipping, billing),
      type,
      manualEdits: Object.keys(edits).length > 0 ? edits : order.manualEdits,
      updatedAt: now,
    },
    lines,
    removedLineIds: anythingSent ? [] : dropped.map((d) => d.id),
    changed,
    keptLines: anythingSent ? dropped.length : 0,
  };
}

/** The updates written a statement per table for the whole batch. */
async function applyUpdates(
  tx: Tx,
  shop: Shop,
  updates: KnownUpdate[],
  via: IngestVia,
  now: Date,
): Promise<{
  changes: (ChangedOrder & { anythingSent: boolean })[];
  outcomes: IngestOutcome[];
  events: TimelineEntry[];
}> {
  if (updates.length === 0) return { changes: [], outcomes: [], events: [] };
  const settings = shopSettings(shop);
  const storedLines = await tx
    .select({
      id: lineItems.id,
      orderId: lineItems.orderId,
      cartLineId: lineItems.cartLineId,
      personalization: lineItems.personalization,
      title: lineItems.title,
      quantity: lineItems.quantity,
      productUrl: lineItems.productUrl,
    })
    .from(lineItems)
    .where(
      and(
        eq(lineItems.shopId, shop.id),
        inArray(
          lineItems.orderId,
          updates.map((u) => u.before.order.id),
        ),
      ),
    );
  const changes: (ChangedOrder & { anythingSent: boolean })[] = [];
  const events: TimelineEntry[] = [];
  const orderUpdates: (Partial<OrderRow> & { id: string })[] = [];
  const upserts: LineRow[] = [];
  const removedLineIds: string[] = [];
  for (const { before, incoming } of updates) {
    const { order } = before;
    const lines = storedLines.filter((line) => line.orderId === order.id);
    const merged = mergeCartUpdate(before, incoming, lines, settings, now);
    orderUpdates.push({ id: order.id, ...merged.set });
    upserts.push(...merged.lines);
    removedLineIds.push(...merged.removedLineIds);
    // The row is locked: what we wrote is what it holds (no need to echo the raw payload back).
    const after = { ...order, ...merged.set };
    const sentLine = (l: { cartLineId: string; title: string; quantity: number }) => ({
      cartLineId: l.cartLineId,
      title: l.title,
      quantity: l.quantity,
    });
    changes.push({
      before: order,
      after,
      anythingSent: before.anythingSent,
      linesBefore: lines.map(sentLine),
      cartLines: incoming.lineItems.map(sentLine),
    });
    if (merged.changed.length > 0) {
      events.push({
        shopId: shop.id,
        orderId: order.id,
        actor: "cart",
        action: "cart_updated",
        message:
          via.source === "reconciliation"
            ? `${describeChange(order, after, merged.changed, merged.keptLines)} (recovered by reconciliation: no webhook brought this change)`
            : describeChange(order, after, merged.changed, merged.keptLines),
        data: { changed: merged.changed, via: via.source },
      });
    }
  }
  await tx.execute(recordsetUpdate(orders, shop.id, orderUpdates));
  if (upserts.length > 0) await tx.execute(upsertLines(upserts));
  if (removedLineIds.length > 0) {
    await tx
      .delete(lineItems)
      .where(and(eq(lineItems.shopId, shop.id), inArray(lineItems.id, removedLineIds)));
  }
  await upsertPayments(tx, shop.id, updates);
  return {
    changes,
    outcomes: updates.map(({ before, incoming }) => ({
      cartOrderId: incoming.cartOrderId,
      outcome: "updated",
      orderId: before.order.id,
    })),
    events,
  };
}

/** The batch's timeline rows, in one statement, as the timeline itself writes them. */
async function recordTimeline(tx: Tx, events: TimelineEntry[]): Promise<void> {
  if (events.length > 0) await tx.execute(recordsetInsert(orderEvents, events.map(timelineRow)));
}

/** Decimal amounts as written by carts and by numeric columns ("31.00", "31.0000"), compared exactly. */
export function sameAmount(a: string | null, b: string | null): boolean {
  return canonicalAmount(a) === canonicalAmount(b);
}

function canonicalAmount(amount: string | null): string | null {
  if (amount === null) return null;
  const [whole = "0", fraction = ""] = amount.trim().replace(/^\+/, "").split(".");
  const digits = whole.replace(/^(-?)0+(?=\d)/, "$1");
  const decimals = fraction.replace(/0+$/, "");
  return decimals ? `${digits}.${decimals}` : digits === "-0" ? "0" : digits;
}

/** How each change reads on the timeline, in the owner's words, with old and new values. */
const CHANGE_WORDS: Record<string, (before: OrderRow, after: OrderRow) => string> = {
  cartStatus: (before, after) =>
    `Cart status ${CART_STATUS_LABELS[before.cartStatus]} → ${CART_STATUS_LABELS[after.cartStatus]}`,
  total: (before, after) =>
    `Total ${formatMoney(before.total, before.currency)} → ${formatMoney(after.total, after.currency)}`,
  currency: (before, after) => `Currency ${before.currency} → ${after.currency}`,
  customerName: (before, after) =>
    `Customer ${text(before.customerName)} → ${text(after.customerName)}`,
  customerEmail: (before, after) =>
    `Email ${text(before.customerEmail)} → ${text(after.customerEmail)}`,
  paymentMethod: (before, after) =>
    `Payment method ${text(before.paymentMethod)} → ${text(after.paymentMethod)}`,
  shippingMethod: (before, after) =>
    `Shipping method ${text(before.shippingMethod)} → ${text(after.shippingMethod)}`,
  shippingAddress: () => "Shipping address changed",
  billingAddress: () => "Billing address changed",
  note: () => "Note changed",
  lineItems: () => "Items changed",
  type: (before, after) =>
    `Type ${ORDER_TYPE_LABELS[before.type]} → ${ORDER_TYPE_LABELS[after.type]}`,
};

const text = (value: string | null) => (value ? `“${value}”` : "none");

function describeChange(
  before: OrderRow,
  after: OrderRow,
  changed: string[],
  keptLines: number,
): string {
  const parts = changed.map((field) => CHANGE_WORDS[field]?.(before, after) ?? `${field} changed`);
  let message = `The cart updated the order: ${parts.join("; ")}`;
  if (keptLines > 0) {
    message += ` (${keptLines} item${keptLines === 1 ? "" : "s"} the cart removed ${keptLines === 1 ? "is" : "are"} kept: already sent to the provider)`;
  }
  return message;
}

/** Payments are a history: new ones are added, known ones (by the cart's id) get their status. */
async function upsertPayments(tx: Tx, shopId: string, updates: KnownUpdate[]): Promise<void> {
  const withPayments = updates.filter((u) => u.incoming.payments.length > 0);
  if (withPayments.length === 0) return;
  const stored = await tx
    .select({
      id: paymentTransactions.id,
      orderId: paymentTransactions.orderId,
      cartTransactionId: paymentTransactions.cartTransactionId,
      status: paymentTransactions.status,
    })
    .from(paymentTransactions)
    .where(
      and(
        eq(paymentTransactions.shopId, shopId),
        inArray(
          paymentTransactions.orderId,
          withPayments.map((u) => u.before.order.id),
        ),
      ),
    );
  const fresh = [];
  for (const { before, incoming } of withPayments) {
    for (const p of incoming.payments) {
      const known = stored.find(
        (s) =>
          s.orderId === before.order.id &&
          p.cartTransactionId !== null &&
          s.cartTransactionId === p.cartTransactionId,
      );
      if (!known) fresh.push({ shopId, orderId: before.order.id, ...p });
      else if (known.status !== p.status) {
        await tx
          .update(paymentTransactions)
          .set({ status: p.status })
          .where(eq(paymentTransactions.id, known.id));
      }
    }
  }
  if (fresh.length > 0) await tx.insert(paymentTransactions).values(fresh);
}
