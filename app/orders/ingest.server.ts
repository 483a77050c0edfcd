// Orders arriving from a cart (webhook or Import) become rows here, and nowhere else.
import { and, eq, getTableColumns, inArray, sql, type SQL } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import type { NormalizedLineItem, NormalizedOrder } from "~/carts/connector";
import type { AppContext } from "~/context.server";
import { queryRows, type Db, type Tx } from "~/db/client.server";
import { lineItems, orderEvents, orders, paymentTransactions, shipments } from "~/db/schema";
import { cancelFulfillment } from "~/fulfillment/cancel.server";
import {
  countdownBlocker,
  holdOrder,
  releaseOrder,
  countdownDueAt,
  scheduleAutoSubmits,
  startCountdown,
} from "./countdown.server";
import type { OrderEventInput } from "~/orders/core/timeline.server";
import { recordOrderEvent } from "~/orders/core/timeline.server";
import { initialState } from "~/orders/core/lifecycle";
import type { Address, CartStatus, ManualEdits } from "~/orders/core/model";
import { orderTypeFor } from "./order-type";
import { type ActingAs, type OrderRow } from "~/orders/core/transitions.server";
import { refreshOrderSummaries } from "~/orders/core/summary.server";
import { alertOf } from "~/orders/core/alerts";
import { shopSettings } from "~/orders/core/shop-settings";
import type { Shop } from "~/shops/shops.server";

export type IngestCtx = Pick<AppContext, "db" | "jobs" | "config" | "shopify">;

export interface IngestOutcome {
  cartOrderId: string;
  /**
   * created / updated: stored; stale: older than what we have, ignored; archived: the owner archived
   * it, so it is never re-imported; skipped: not an order we keep (a checkout draft, say).
   */
  outcome: "created" | "updated" | "stale" | "archived" | "skipped";
  orderId: string | null;
  reason?: string;
}

export interface IngestVia {
  source: "webhook" | "import";
}

const CART: ActingAs = { actor: "cart" };

/** Order fields the owner may edit; while edited, the cart's value is remembered, not applied. */
const EDITABLE_FIELDS = [
  "shippingAddress",
  "billingAddress",
  "customerName",
  "customerEmail",
  "paymentMethod",
  "shippingMethod",
  "note",
] as const;
type EditableField = (typeof EDITABLE_FIELDS)[number];

const lineEditKey = (cartLineId: string) => `lineItem:${cartLineId}:personalization`;

const STOPPED: ReadonlySet<CartStatus> = new Set<CartStatus>(["cancelled", "refunded"]);

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

/** Customer place for the catalog: where the order ships, else where it is billed. */
function customerPlace(shipping: Address | null, billing: Address | null) {
  const from = shipping ?? billing;
  return {
    customerCity: from?.city || null,
    customerProvince: from?.provinceCode || from?.province || null,
    customerCountry: from?.countryCode || from?.country || null,
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

/**
 * A multi-row INSERT as one JSON parameter that PostgreSQL expands into the table's own row type
 * (jsonb_populate_recordset). Drizzle's builder spends more time on a page's hundreds of values
 * and thousands of placeholders than the database spends storing them; here the rows go as one
 * JSON text. Columns no row names keep their defaults; keys are the schema's property names.
 */
function recordsetInsert<T extends PgTable>(
  table: T,
  rows: readonly Partial<T["$inferInsert"]>[],
): SQL {
  const columns = getTableColumns(table) as Record<string, PgColumn>;
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((k) => k in columns);
  const names = keys.map((k) => columns[k]!.name);
  const records = rows.map((r) => {
    const record: Record<string, unknown> = {};
    const values = r as Record<string, unknown>;
    keys.forEach((k, i) => {
      record[names[i]!] = values[k] ?? null;
    });
    return record;
  });
  const list = sql.join(
    names.map((n) => sql.identifier(n)),
    sql`, `,
  );
  return sql`insert into ${table} (${list})
    select ${list} from jsonb_populate_recordset(null::${table}, ${JSON.stringify(records)}::jsonb)`;
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
function upsertLines(rows: readonly ReturnType<typeof lineRow>[]): SQL {
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
 * Many rows of one shop updated in one statement, each to its own values, by id: the same JSON
 * parameter as recordsetInsert. Every row names the same columns (the caller builds them alike).
 */
function recordsetUpdate<T extends PgTable>(
  table: T,
  shopId: string,
  rows: readonly ({ id: string } & Partial<T["$inferSelect"]>)[],
): SQL {
  const columns = getTableColumns(table) as Record<string, PgColumn>;
  const keys = Object.keys(rows[0] ?? {}).filter((k) => k in columns && k !== "id");
  const records = rows.map((r) => {
    const values = r as Record<string, unknown>;
    const record: Record<string, unknown> = { id: r.id };
    for (const k of keys) {
      if (!(k in values)) throw new Error(`recordsetUpdate: a row lacks ${k}`);
      record[columns[k]!.name] = values[k] ?? null;
    }
    return record;
  });
  const list = sql.join(
    keys.map((k) => sql.identifier(columns[k]!.name)),
    sql`, `,
  );
  const from = sql.join(
    keys.map((k) => sql`r.${sql.identifier(columns[k]!.name)}`),
    sql`, `,
  );
  return sql`update ${table} as t set (${list}) = row(${from})
    from jsonb_populate_recordset(null::${table}, ${JSON.stringify(records)}::jsonb) as r
    where t.id = r.id and t.shop_id = ${shopId}`;
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
  const settings = shopSettings(shop);
  const now = new Date();
  const outcomes: IngestOutcome[] = [];
  const events: OrderEventInput[] = [];

  let existing = await lockExisting(
    tx,
    shop.id,
    batch.map((o) => o.cartOrderId),
  );

  // ---- New orders: one multi-row insert for the orders, one for their lines, one for payments.
  const fresh = batch.filter((o) => !existing.has(o.cartOrderId));
  const created: { order: OrderRow; incoming: NormalizedOrder }[] = [];
  if (fresh.length > 0) {
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
        // The countdown starts with the row (its job is queued below, in this transaction).
        autoSubmitAt: countdownDueAt(lifecycle, shop, now),
      };
    });
    // Another worker may have stored one of these since we looked: it is treated as an update below.
    // Only the keys come back: echoing every raw payload back would cost more than the insert.
    const inserted = (
      await queryRows<{ id: string; cart_order_id: string; created_at: Date; updated_at: Date }>(
        tx,
        sql`${recordsetInsert(orders, rows)}
          on conflict (shop_id, cart_order_id) do nothing
          returning id, cart_order_id, created_at, updated_at`,
      )
    ).map((r) => ({
      id: r.id,
      cartOrderId: r.cart_order_id,
      createdAt: new Date(r.created_at),
      updatedAt: new Date(r.updated_at),
    }));
    const byCartId = new Map(fresh.map((o, i) => [o.cartOrderId, { o, row: rows[i]! }]));
    for (const stored of inserted) {
      const { o, row } = byCartId.get(stored.cartOrderId)!;
      const order: OrderRow = {
        ...row,
        ...stored,
        // The columns the insert left to their defaults.
        submitStatus: null,
        submitFailureReason: null,
        autoSubmitRemainingMs: null,
        invoiceNumber: null,
        alert: null,
        manualEdits: null,
      };
      created.push({ order, incoming: o });
    }
    if (inserted.length < fresh.length) {
      const raced = fresh
        .map((o) => o.cartOrderId)
        .filter((id) => !inserted.some((r) => r.cartOrderId === id));
      existing = new Map([...existing, ...(await lockExisting(tx, shop.id, raced))]);
    }
    const lines = created.flatMap(({ order, incoming }) =>
      incoming.lineItems.map((line, i) => lineRow(shop.id, order.id, line, i)),
    );
    if (lines.length > 0) await tx.execute(recordsetInsert(lineItems, lines));
    const payments = created.flatMap(({ order, incoming }) =>
      incoming.payments.map((p) => ({ shopId: shop.id, orderId: order.id, ...p })),
    );
    if (payments.length > 0) await tx.execute(recordsetInsert(paymentTransactions, payments));
    for (const { order } of created) {
      outcomes.push({ cartOrderId: order.cartOrderId, outcome: "created", orderId: order.id });
      events.push({
        shopId: shop.id,
        orderId: order.id,
        actor: "cart",
        action: "imported",
        toState: order.state,
        message:
          via.source === "webhook" ? "Received from the cart" : "Imported from the cart (Import)",
        data: { cartStatus: order.cartStatus, via: via.source },
      });
    }
  }

  // ---- Orders we already have.
  const updates: { before: Existing; incoming: NormalizedOrder; after: OrderRow }[] = [];
  const createdIds = new Set(created.map((c) => c.order.cartOrderId));
  for (const o of batch) {
    const found = existing.get(o.cartOrderId);
    if (!found || createdIds.has(o.cartOrderId)) continue;
    const { order } = found;
    if (order.state === "archived") {
      outcomes.push({
        cartOrderId: o.cartOrderId,
        outcome: "archived",
        orderId: order.id,
        reason: "Archived orders are kept as they are and never imported again",
      });
      continue;
    }
    if (o.cartUpdatedAt.getTime() < order.cartUpdatedAt.getTime()) {
      outcomes.push({
        cartOrderId: o.cartOrderId,
        outcome: "stale",
        orderId: order.id,
        reason: `Older (${o.cartUpdatedAt.toISOString()}) than the version stored (${order.cartUpdatedAt.toISOString()})`,
      });
      continue;
    }
    if (
      o.cartUpdatedAt.getTime() === order.cartUpdatedAt.getTime() &&
      stableJson(order.rawPayload) === stableJson(o.raw ?? null)
    ) {
      // The same version again (a re-import, a redelivery): nothing to write.
      outcomes.push({
        cartOrderId: o.cartOrderId,
        outcome: "updated",
        orderId: order.id,
        reason: "Unchanged",
      });
      continue;
    }
    updates.push({ before: found, incoming: o, after: order });
  }

  if (updates.length > 0) {
    const orderIds = updates.map((u) => u.before.order.id);
    const storedLines = await tx
      .select({
        id: lineItems.id,
        orderId: lineItems.orderId,
        cartLineId: lineItems.cartLineId,
        personalization: lineItems.personalization,
      })
      .from(lineItems)
      .where(and(eq(lineItems.shopId, shop.id), inArray(lineItems.orderId, orderIds)));
    const linesByOrder = new Map<string, typeof storedLines>();
    for (const line of storedLines) {
      const list = linesByOrder.get(line.orderId) ?? [];
      list.push(line);
      linesByOrder.set(line.orderId, list);
    }

    const upserts: ReturnType<typeof lineRow>[] = [];
    const orderUpdates: (Partial<OrderRow> & { id: string })[] = [];
    const removedLineIds: string[] = [];
    for (const update of updates) {
      const { order, anythingSent } = update.before;
      const o = update.incoming;
      const edits: ManualEdits = { ...(order.manualEdits ?? {}) };
      const columns = cartColumns(o);
      const changed: string[] = [];
      // The owner's edits stand; the cart's value is remembered so Reset can restore it.
      const kept: Partial<Pick<OrderRow, EditableField>> = {};
      for (const field of EDITABLE_FIELDS) {
        const edit = edits[field];
        if (edit) {
          edits[field] = { ...edit, from: columns[field] };
          Object.assign(kept, { [field]: order[field] });
        } else if (!sameJson(order[field], columns[field])) changed.push(field);
      }
      for (const field of ["cartStatus", "total", "currency"] as const) {
        if (!sameJson(order[field], columns[field])) changed.push(field);
      }
      const shipping = (edits.shippingAddress ? order.shippingAddress : o.shippingAddress) ?? null;
      const billing = (edits.billingAddress ? order.billingAddress : o.billingAddress) ?? null;

      const before = linesByOrder.get(order.id) ?? [];
      const incomingLineIds = new Set(o.lineItems.map((l) => l.cartLineId));
      const orderLines = o.lineItems.map((line, i) => {
        const key = lineEditKey(line.cartLineId);
        const edit = edits[key];
        let personalization = line.personalization;
        if (edit) {
          edits[key] = { ...edit, from: line.personalization };
          const stored = before.find((b) => b.cartLineId === line.cartLineId);
          personalization = stored ? stored.personalization : (edit.to as typeof personalization);
        }
        return lineRow(shop.id, order.id, { ...line, personalization }, i);
      });
      upserts.push(...orderLines);
      const added = o.lineItems.filter((l) => !before.some((b) => b.cartLineId === l.cartLineId));
      // Lines the cart dropped go, unless the order already went to a provider with them.
      const dropped = before.filter((b) => !incomingLineIds.has(b.cartLineId));
      if (!anythingSent) removedLineIds.push(...dropped.map((d) => d.id));
      if (added.length > 0 || dropped.length > 0) changed.push("lineItems");

      const type = orderTypeFor(
        {
          sourceChannel: o.sourceChannel,
          lineItems: orderLines,
        },
        settings,
      );
      if (type !== order.type) changed.push("type");
      const set = {
        ...columns,
        ...kept,
        ...customerPlace(shipping, billing),
        type,
        manualEdits: Object.keys(edits).length > 0 ? edits : order.manualEdits,
        updatedAt: now,
      };
      orderUpdates.push({ id: order.id, ...set });
      // The row is locked: what we wrote is what it holds (no need to echo the raw payload back).
      update.after = { ...order, ...set };
      outcomes.push({ cartOrderId: o.cartOrderId, outcome: "updated", orderId: order.id });
      if (changed.length > 0) {
        events.push({
          shopId: shop.id,
          orderId: order.id,
          actor: "cart",
          action: "cart_updated",
          message: describeChange(order, o, changed, anythingSent ? dropped.length : 0),
          data: { changed, via: via.source },
        });
      }
    }
    if (orderUpdates.length > 0) await tx.execute(recordsetUpdate(orders, shop.id, orderUpdates));
    if (upserts.length > 0) await tx.execute(upsertLines(upserts));
    if (removedLineIds.length > 0) {
      await tx
        .delete(lineItems)
        .where(and(eq(lineItems.shopId, shop.id), inArray(lineItems.id, removedLineIds)));
    }
    await upsertPayments(tx, shop.id, updates);
  }

  await refreshOrderSummaries(
    tx,
    shop.id,
    updates.map((u) => u.after.id),
  );
  if (events.length > 0) await tx.execute(recordsetInsert(orderEvents, events.map(eventRow)));

  // ---- The lifecycle follows the cart: countdowns start, pause, resume or stop.
  const inTx = { ...ctx, db: tx as unknown as Db };
  await scheduleAutoSubmits(
    ctx.jobs,
    tx,
    created.flatMap(({ order }) =>
      order.autoSubmitAt ? [{ order, dueAt: order.autoSubmitAt }] : [],
    ),
  );
  for (const { before, after } of updates) {
    await followCartStatus(inTx, tx, shop, before.order, after, now);
  }
  return outcomes;
}

function eventRow(e: OrderEventInput) {
  return {
    shopId: e.shopId,
    orderId: e.orderId,
    actor: e.actor,
    actorName: e.actorName ?? null,
    action: e.action,
    fromState: e.fromState ?? null,
    toState: e.toState ?? null,
    message: e.message ?? null,
    data: e.data ?? null,
  };
}

function describeChange(
  order: OrderRow,
  o: NormalizedOrder,
  changed: string[],
  keptLines: number,
): string {
  const parts: string[] = [];
  if (changed.includes("cartStatus")) {
    parts.push(`cart status ${order.cartStatusRaw} → ${o.cartStatusRaw}`);
  }
  const others = changed.filter((c) => c !== "cartStatus");
  if (others.length > 0) parts.push(`changed ${others.join(", ")}`);
  let message = `The cart updated the order: ${parts.join("; ")}`;
  if (keptLines > 0) {
    message += ` (${keptLines} line(s) the cart removed are kept: they were already sent)`;
  }
  return message;
}

/** Payments are a history: new ones are added, known ones (by the cart's id) get their status. */
async function upsertPayments(
  tx: Tx,
  shopId: string,
  updates: { before: Existing; incoming: NormalizedOrder }[],
): Promise<void> {
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

type InTxCtx = Omit<IngestCtx, "db"> & { db: Db };

/**
 * Moves one updated order's lifecycle after its cart status: on hold pauses the countdown,
 * processing resumes it (or starts it once the order is eligible), cancelled and refunded stop it
 * and withdraw what has not been sent.
 */
async function followCartStatus(
  ctx: InTxCtx,
  tx: Tx,
  shop: Shop,
  before: OrderRow,
  after: OrderRow,
  now: Date,
): Promise<void> {
  const changed = before.cartStatus !== after.cartStatus;
  const cart: ActingAs = { ...CART, name: "Cart" };
  if (changed && STOPPED.has(after.cartStatus)) {
    await cancelFulfillment(ctx, shop.id, after.id, cart);
    return;
  }
  if (changed && after.cartStatus === "on_hold" && after.state === "new") {
    await holdOrder(ctx, shop.id, after.id, cart, now);
    return;
  }
  let current: OrderRow | undefined = after;
  if (changed && before.cartStatus === "on_hold" && after.state === "on_hold") {
    const released = await releaseOrder(ctx, shop.id, after.id, cart, now);
    if (!released.ok) return;
    [current] = await tx
      .select()
      .from(orders)
      .where(and(eq(orders.id, after.id), eq(orders.shopId, shop.id)))
      .limit(1);
  }
  // A countdown whose order is no longer eligible (no longer paid, no longer In-app) stops here
  // rather than at its deadline, so the owner sees why at once.
  const blocker = current ? countdownBlocker(current, shop) : null;
  if (current && current.state === "new" && current.autoSubmitAt !== null && blocker) {
    await tx
      .update(orders)
      .set({ autoSubmitAt: null, autoSubmitRemainingMs: null, updatedAt: now })
      .where(and(eq(orders.id, current.id), eq(orders.shopId, shop.id)));
    await recordOrderEvent(tx, {
      shopId: shop.id,
      orderId: current.id,
      actor: "cart",
      action: "countdown_stopped",
      message: `Countdown stopped: ${blocker}`,
    });
    return;
  }
  // An order that has just become eligible (paid, typed In-app, released without time left) starts
  // its countdown; one already counting keeps its deadline.
  if (
    current &&
    current.autoSubmitAt === null &&
    current.autoSubmitRemainingMs === null &&
    current.state === "new" &&
    !blocker
  ) {
    const due = await startCountdown(ctx, tx, current, shop, now);
    if (due) {
      await recordOrderEvent(tx, {
        shopId: shop.id,
        orderId: current.id,
        actor: "cart",
        action: "countdown_started",
        message: `The order is ready for automatic submission at ${due.toISOString()}`,
      });
    }
  }
}

/** The cart deleted the order: remove ours unless something was sent (then alert the owner). */
export async function removeCartOrder(
  ctx: IngestCtx,
  shop: Shop,
  cartOrderId: string,
): Promise<{ removed: boolean; reason?: string }> {
  return ctx.db.transaction(async (tx) => {
    const found = (await lockExisting(tx, shop.id, [cartOrderId])).get(cartOrderId);
    if (!found) return { removed: false, reason: "No such order" };
    const { order } = found;
    const [shipped] = await tx
      .select({ id: shipments.id })
      .from(shipments)
      .where(and(eq(shipments.orderId, order.id), eq(shipments.shopId, shop.id)))
      .limit(1);
    if (found.anythingSent || shipped) {
      const alert = alertOf(
        "cart_deleted",
        "The cart deleted this order, but it was already sent to a provider",
        "Cancel it with the provider if it should not be made, then archive it",
      );
      await tx
        .update(orders)
        .set({ alert, autoSubmitAt: null, updatedAt: new Date() })
        .where(and(eq(orders.id, order.id), eq(orders.shopId, shop.id)));
      await recordOrderEvent(tx, {
        shopId: shop.id,
        orderId: order.id,
        actor: "cart",
        action: "cart_deleted",
        message: alert.message,
      });
      return { removed: false, reason: alert.message };
    }
    // Cascades to its lines, payments, events and unsent purchase orders.
    await tx.delete(orders).where(and(eq(orders.id, order.id), eq(orders.shopId, shop.id)));
    return { removed: true };
  });
}
