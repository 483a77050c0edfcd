// The Purchase Orders page and its API: every purchase order of the shop, newest first, with
// search (PO number, order number, distributor), a filter by shipped status, keyset paging like
// the catalog's, and one purchase order with its items, tracking and history.
//
// The shipped status is worked out from the rows it summarises (the PO's items and their delivery
// state, its state, its overdue mark) each time it is read, so it cannot drift from them.
import { and, asc, eq, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "~/db/client.server";
import { queryRows } from "~/db/client.server";
import { orderEvents, shipments } from "~/db/schema";
import type { Address } from "~/orders/core/model";
import { findSubmission, loadItems } from "./purchase-orders.server";

import { SHIPPED_STATUSES, type ShippedStatus } from "./purchase-order-status";

export { SHIPPED_LABELS, SHIPPED_STATUSES, type ShippedStatus } from "./purchase-order-status";

export const PAGE_SIZE = 25;

export const purchaseOrderQuerySchema = z.object({
  search: z.string().trim().max(100, "Search for at most 100 characters").optional(),
  distributor: z.uuid("Unknown distributor").optional(),
  shipped: z.enum(SHIPPED_STATUSES, { message: "Unknown shipped status" }).optional(),
  cursor: z.string().max(200).optional(),
});
export type PurchaseOrderQuery = z.infer<typeof purchaseOrderQuerySchema>;

export class BadCursorError extends Error {
  constructor() {
    super("The page cursor is not valid; start again from the first page");
  }
}

export interface PurchaseOrderRow {
  id: string;
  poNumber: string;
  orderId: string;
  orderNumber: string;
  distributor: { id: string; name: string; kind: string };
  dropship: boolean;
  shipped: ShippedStatus;
  state: string;
  placedAt: Date;
  submittedAt: Date | null;
  overdueAt: Date | null;
  lastError: string | null;
  tracking: { carrier: string | null; trackingNumber: string; trackingUrl: string | null }[];
}

interface RawRow {
  id: string;
  po_number: string;
  order_id: string;
  order_number: string;
  provider_id: string;
  provider_name: string;
  provider_kind: string;
  dropship: boolean;
  state: string;
  created_at: Date | string;
  submitted_at: Date | string | null;
  overdue_at: Date | string | null;
  last_error: string | null;
  shipped: ShippedStatus;
  tracking: { carrier: string | null; trackingNumber: string; trackingUrl: string | null }[] | null;
}

const date = (value: Date | string) => (value instanceof Date ? value : new Date(value));

function encodeCursor(row: RawRow): string {
  return Buffer.from(JSON.stringify([date(row.created_at).toISOString(), row.id])).toString(
    "base64url",
  );
}

function decodeCursor(cursor: string): { at: string; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown[];
    if (typeof at !== "string" || Number.isNaN(Date.parse(at))) throw new Error();
    if (!z.uuid().safeParse(id).success) throw new Error();
    return { at, id: id as string };
  } catch {
    throw new BadCursorError();
  }
}

/** The PO's items: a drop-ship PO names them; another covers its provider's items of the order. */
const PO_LINES = sql`(
  select count(*) as total, count(*) filter (where li.delivery_state <> 'pending') as shipped
  from line_item li
  where li.order_id = s.order_id and li.shop_id = s.shop_id
    and (case when s.dropship
      then li.id::text in (select jsonb_array_elements_text(s.line_ids))
      else li.provider_id = s.provider_id end)
)`;

const SHIPPED_CASE = sql`case
  when s.state in ('failed', 'cancelled') then 'cancelled'
  when lines.total > 0 and lines.shipped = lines.total then 'shipped'
  when s.overdue_at is not null then 'overdue'
  when lines.shipped > 0 then 'partly_shipped'
  else 'not_shipped' end`;

export async function listPurchaseOrders(
  db: DbOrTx,
  shopId: string,
  query: PurchaseOrderQuery,
  pageSize = PAGE_SIZE,
): Promise<{ purchaseOrders: PurchaseOrderRow[]; nextCursor: string | null }> {
  const where: SQL[] = [sql`s.shop_id = ${shopId}`];
  if (query.search) {
    const like = `%${query.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(
      sql`(s.po_number ilike ${like} or o.cart_order_number ilike ${like} or p.name ilike ${like})`,
    );
  }
  if (query.distributor) where.push(sql`s.provider_id = ${query.distributor}`);
  if (query.cursor) {
    const { at, id } = decodeCursor(query.cursor);
    where.push(sql`(s.created_at, s.id) < (${at}::timestamptz, ${id}::uuid)`);
  }
  const shippedFilter = query.shipped ? sql`where shipped = ${query.shipped}` : sql``;
  const rows = await queryRows<RawRow>(
    db,
    sql`select * from (
          select s.id, s.po_number, s.order_id, o.cart_order_number as order_number,
            p.id as provider_id, p.name as provider_name, p.kind as provider_kind, s.dropship,
            s.state, s.created_at, s.submitted_at, s.overdue_at, s.last_error,
            ${SHIPPED_CASE} as shipped,
            (select coalesce(jsonb_agg(jsonb_build_object('carrier', sh.carrier,
                'trackingNumber', sh.tracking_number, 'trackingUrl', sh.tracking_url)
                order by sh.shipped_at), '[]'::jsonb)
             from shipment sh where sh.submission_id = s.id) as tracking
          from submission s
          join "order" o on o.id = s.order_id and o.shop_id = s.shop_id
          join provider p on p.id = s.provider_id and p.shop_id = s.shop_id
          cross join lateral ${PO_LINES} lines
          where ${sql.join(where, sql` and `)}
          order by s.created_at desc, s.id desc
        ) po ${shippedFilter}
        limit ${pageSize + 1}`,
  );
  const more = rows.length > pageSize;
  const page = rows.slice(0, pageSize);
  return {
    purchaseOrders: page.map(rowOf),
    nextCursor: more ? encodeCursor(page[page.length - 1]!) : null,
  };
}

function rowOf(row: RawRow): PurchaseOrderRow {
  return {
    id: row.id,
    poNumber: row.po_number,
    orderId: row.order_id,
    orderNumber: row.order_number,
    distributor: { id: row.provider_id, name: row.provider_name, kind: row.provider_kind },
    dropship: row.dropship,
    shipped: row.shipped,
    state: row.state,
    placedAt: date(row.created_at),
    submittedAt: row.submitted_at ? date(row.submitted_at) : null,
    overdueAt: row.overdue_at ? date(row.overdue_at) : null,
    lastError: row.last_error,
    tracking: row.tracking ?? [],
  };
}

export interface PurchaseOrderDetail extends PurchaseOrderRow {
  shippingAddress: Address | null;
  placedBy: string | null;
  providerOrderId: string | null;
  items: {
    id: string;
    title: string;
    sku: string | null;
    distributorSku: string | null;
    quantity: number;
    deliveryState: string;
  }[];
  shipments: {
    carrier: string | null;
    trackingNumber: string;
    trackingUrl: string | null;
    shippedAt: Date;
  }[];
  history: { at: Date; actor: string; actorName: string | null; message: string | null }[];
}

/** One purchase order of the shop; null when it is not there or belongs to another shop. */
export async function getPurchaseOrder(
  db: DbOrTx,
  shopId: string,
  id: string,
): Promise<PurchaseOrderDetail | null> {
  if (!z.uuid().safeParse(id).success) return null;
  const submission = await findSubmission(db, shopId, id);
  if (!submission) return null;
  const [listed] = await queryRows<RawRow>(
    db,
    sql`select s.id, s.po_number, s.order_id, o.cart_order_number as order_number,
          p.id as provider_id, p.name as provider_name, p.kind as provider_kind, s.dropship,
          s.state, s.created_at, s.submitted_at, s.overdue_at, s.last_error,
          ${SHIPPED_CASE} as shipped, '[]'::jsonb as tracking
        from submission s
        join "order" o on o.id = s.order_id and o.shop_id = s.shop_id
        join provider p on p.id = s.provider_id and p.shop_id = s.shop_id
        cross join lateral ${PO_LINES} lines
        where s.id = ${id} and s.shop_id = ${shopId}`,
  );
  if (!listed) return null;
  const allItems = await loadItems(db, shopId, submission.orderId);
  const items = submission.dropship
    ? allItems.filter((i) => submission.lineIds.includes(i.id))
    : allItems.filter((i) => i.providerId === submission.providerId);
  const parcels = await db
    .select()
    .from(shipments)
    .where(and(eq(shipments.shopId, shopId), eq(shipments.submissionId, id)))
    .orderBy(asc(shipments.shippedAt));
  // The order's timeline entries about this PO: those naming it, by id or by number.
  const events = await db
    .select()
    .from(orderEvents)
    .where(and(eq(orderEvents.shopId, shopId), eq(orderEvents.orderId, submission.orderId)))
    .orderBy(asc(orderEvents.createdAt));
  const mentions = (e: typeof orderEvents.$inferSelect) =>
    (e.message ?? "").includes(submission.poNumber) ||
    JSON.stringify(e.data ?? {}).includes(submission.id);
  return {
    ...rowOf(listed),
    tracking: parcels.map((p) => ({
      carrier: p.carrier,
      trackingNumber: p.trackingNumber,
      trackingUrl: p.trackingUrl,
    })),
    shippingAddress: submission.shippingAddress,
    placedBy: submission.placedBy,
    providerOrderId: submission.providerOrderId,
    items: items.map((i) => ({
      id: i.id,
      title: i.title,
      sku: i.sku,
      distributorSku: i.distributorSku,
      quantity: i.quantity,
      deliveryState: i.deliveryState,
    })),
    shipments: parcels.map((p) => ({
      carrier: p.carrier,
      trackingNumber: p.trackingNumber,
      trackingUrl: p.trackingUrl,
      shippedAt: p.shippedAt,
    })),
    history: events.filter(mentions).map((e) => ({
      at: e.createdAt,
      actor: e.actor,
      actorName: e.actorName,
      message: e.message,
    })),
  };
}

/** The JSON API's shape of a listed purchase order. */
export function purchaseOrderJson(row: PurchaseOrderRow) {
  return {
    id: row.id,
    poNumber: row.poNumber,
    orderId: row.orderId,
    orderNumber: row.orderNumber,
    distributor: { id: row.distributor.id, name: row.distributor.name },
    dropship: row.dropship,
    shipped: row.shipped,
    placedAt: row.placedAt.toISOString(),
    overdueAt: row.overdueAt?.toISOString() ?? null,
    tracking: row.tracking,
  };
}

export function purchaseOrderDetailJson(po: PurchaseOrderDetail) {
  return {
    ...purchaseOrderJson(po),
    state: po.state,
    providerOrderId: po.providerOrderId,
    placedBy: po.placedBy,
    lastError: po.lastError,
    shippingAddress: po.shippingAddress,
    items: po.items,
    shipments: po.shipments.map((s) => ({ ...s, shippedAt: s.shippedAt.toISOString() })),
    history: po.history.map((h) => ({ ...h, at: h.at.toISOString() })),
  };
}

/** Purchase orders of these orders, for links from the catalog and the order page. */
export async function purchaseOrdersOfOrders(
  db: DbOrTx,
  shopId: string,
  orderIds: string[],
): Promise<Map<string, { id: string; poNumber: string }[]>> {
  const result = new Map<string, { id: string; poNumber: string }[]>();
  if (orderIds.length === 0) return result;
  const rows = await queryRows<{ id: string; po_number: string; order_id: string }>(
    db,
    sql`select id, po_number, order_id from submission
        where shop_id = ${shopId} and dropship
          and order_id in (${sql.join(
            orderIds.map((id) => sql`${id}::uuid`),
            sql`, `,
          )})
        order by created_at`,
  );
  for (const row of rows) {
    result.set(row.order_id, [
      ...(result.get(row.order_id) ?? []),
      { id: row.id, poNumber: row.po_number },
    ]);
  }
  return result;
}
