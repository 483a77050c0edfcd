// Tracking for drop-ship purchase orders (runs with the poll-providers job).
//
// Distributors that publish a shipments file (CSV of PO number, SKU, quantity, carrier, tracking
// number) on their FTP/SFTP server are read every few hours (4 by default, per distributor): the
// file is streamed once per distributor and every row for one of its open purchase orders becomes
// a shipment event, through the same receipts as posted events, so a parcel read twice (or also
// posted) is stored once and pushed to the cart once.
//
// A purchase order not shipped six weeks after it was placed is no longer looked for: it is
// flagged Overdue, with a line telling the owner to contact the distributor.
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import { parse } from "csv-parse";
import type { Readable } from "node:stream";
import type { AppContext } from "~/context.server";
import { queryRows, type Tx } from "~/db/client.server";
import { lineItems, providers, submissions } from "~/db/schema";
import { queueFlowTrigger } from "~/carts/shopify/flow-triggers.server";
import { addTimelineEntry } from "~/orders/core/timeline.server";
import { distributorOrders, poFileServer } from "../adapters/distributor";
import type { ProviderEvent } from "../provider";
import { storeProviderEvent } from "../provider-events.server";
import { providerConfig, providerOutboundPolicy } from "../providers.server";
import { readFile } from "./file-transfer.server";
import { shipmentsRowReader, type ShipmentsFileRow } from "./po-file";

type Ctx = Pick<AppContext, "db" | "jobs" | "config">;

import { OVERDUE_AFTER_DAYS } from "./overdue";

export { OVERDUE_AFTER_DAYS };

export interface TrackingPollResult {
  distributorsRead: number;
  events: number;
  overdue: number;
  failures: { distributor: string; reason: string }[];
}

export async function pollDistributorTracking(
  ctx: Ctx,
  now = new Date(),
): Promise<TrackingPollResult> {
  const overdue = await flagOverduePurchaseOrders(ctx, now);
  const result: TrackingPollResult = { distributorsRead: 0, events: 0, overdue, failures: [] };
  const distributors = await ctx.db
    .select()
    .from(providers)
    .where(and(eq(providers.kind, "distributor"), eq(providers.enabled, true)));
  for (const distributor of distributors) {
    const orders = distributorOrders(distributor.settings);
    if (orders.tracking !== "file") continue;
    const open = await openPurchaseOrders(ctx, distributor.id, now, orders.pollEveryHours);
    if (open === null) continue; // none open, or not due yet
    result.distributorsRead++;
    try {
      result.events += await readShipmentsFile(ctx, distributor, open);
    } catch (err) {
      // One distributor's server being down must not stop the others; the next run tries again.
      const reason = err instanceof Error ? err.message : String(err);
      result.failures.push({ distributor: distributor.name, reason });
      console.warn(`[tracking] ${distributor.name}: ${reason}`);
    }
    await ctx.db
      .update(submissions)
      .set({ polledAt: now })
      .where(
        inArray(
          submissions.id,
          open.map((po) => po.id),
        ),
      );
  }
  return result;
}

type OpenPo = { id: string; poNumber: string; orderId: string };

/**
 * The distributor's purchase orders still waiting for tracking, when it is time to look (the
 * oldest look is older than the distributor's interval); null when there is nothing to do.
 */
async function openPurchaseOrders(
  ctx: Ctx,
  distributorId: string,
  now: Date,
  everyHours: number,
): Promise<OpenPo[] | null> {
  const rows = await queryRows<{
    id: string;
    po_number: string;
    order_id: string;
    polled_at: Date | string | null;
  }>(
    ctx.db,
    sql`select s.id, s.po_number, s.order_id, s.polled_at from submission s
        where s.provider_id = ${distributorId} and s.dropship and s.state = 'submitted'
          and s.overdue_at is null
          and exists (select 1 from line_item li
            where li.order_id = s.order_id and li.delivery_state = 'pending'
              and li.id::text in (select jsonb_array_elements_text(s.line_ids)))`,
  );
  if (rows.length === 0) return null;
  const due = rows.some(
    (r) =>
      r.polled_at === null ||
      now.getTime() - new Date(r.polled_at).getTime() >= everyHours * 3_600_000,
  );
  if (!due) return null;
  return rows.map((r) => ({ id: r.id, poNumber: r.po_number, orderId: r.order_id }));
}

async function readShipmentsFile(
  ctx: Ctx,
  distributor: typeof providers.$inferSelect,
  open: OpenPo[],
): Promise<number> {
  const config = providerConfig(distributor, ctx.config.encryptionKey);
  const orders = distributorOrders(distributor.settings);
  const server = poFileServer(config);
  if (!server) throw new Error(`${distributor.name} has no server set for its shipments file`);
  const wanted = new Map(open.map((po) => [po.poNumber.toLowerCase(), po]));
  const rows = await readFile(
    server,
    providerOutboundPolicy(ctx.config, config),
    orders.shipmentsPath,
    (stream) => collectRows(stream, orders.shipmentsColumns, wanted),
  );
  // One parcel per PO and tracking number, with the items the rows name.
  const parcels = new Map<string, { po: OpenPo; rows: ShipmentsFileRow[] }>();
  for (const row of rows) {
    const po = wanted.get(row.poNumber.toLowerCase())!;
    const key = `${po.id}|${row.trackingNumber}`;
    const parcel = parcels.get(key) ?? { po, rows: [] };
    parcel.rows.push(row);
    parcels.set(key, parcel);
  }
  let events = 0;
  for (const { po, rows: parcelRows } of parcels.values()) {
    const items = await linesOfPurchaseOrder(ctx, distributor.shopId, po);
    const lineFor = (sku: string) =>
      items.find((i) => (i.distributorSku ?? i.sku ?? "").toLowerCase() === sku.toLowerCase());
    const shipped = parcelRows
      .map((r) => ({ line: lineFor(r.sku), quantity: r.quantity }))
      .filter((x): x is { line: NonNullable<typeof x.line>; quantity: number } => !!x.line)
      .map((x) => ({ lineId: x.line.id, quantity: Math.min(x.quantity, x.line.quantity) }));
    if (shipped.length === 0) continue;
    const first = parcelRows[0]!;
    const event: ProviderEvent = {
      type: "shipped",
      eventId: `shipments-file:${po.poNumber}:${first.trackingNumber}`,
      poNumber: po.poNumber,
      providerOrderId: null,
      shipment: {
        carrier: first.carrier,
        trackingNumber: first.trackingNumber,
        trackingUrl: null,
        shippedAt: new Date(),
        items: shipped,
      },
    };
    const outcome = await ctx.db.transaction((tx) =>
      storeProviderEvent(ctx, tx, distributor, event),
    );
    if (outcome === "queued") events++;
  }
  return events;
}

async function linesOfPurchaseOrder(ctx: Ctx, shopId: string, po: OpenPo) {
  const [submission] = await ctx.db
    .select({ lineIds: submissions.lineIds })
    .from(submissions)
    .where(eq(submissions.id, po.id));
  const ids = submission?.lineIds ?? [];
  if (ids.length === 0) return [];
  return ctx.db
    .select()
    .from(lineItems)
    .where(and(eq(lineItems.shopId, shopId), inArray(lineItems.id, ids)));
}

/** Streams the file, keeping only rows for the POs asked about; bad rows are skipped. */
async function collectRows(
  stream: Readable,
  columns: Parameters<typeof shipmentsRowReader>[1],
  wanted: Map<string, OpenPo>,
): Promise<ShipmentsFileRow[]> {
  const parser = parse({ bom: true, relax_column_count: true, skip_empty_lines: true, trim: true });
  stream.on("error", (err) => parser.destroy(err));
  stream.pipe(parser);
  let reader: ReturnType<typeof shipmentsRowReader> | null = null;
  const found: ShipmentsFileRow[] = [];
  let line = 0;
  for await (const record of parser as AsyncIterable<string[]>) {
    line++;
    if (!reader) {
      reader = shipmentsRowReader(record, columns);
      if (!reader.ok) throw new Error(reader.reason);
      continue;
    }
    if (!reader.ok) break;
    const read = reader.read(record, line);
    if (read.ok && wanted.has(read.row.poNumber.toLowerCase())) found.push(read.row);
  }
  return found;
}

/**
 * Flags drop-ship purchase orders not shipped six weeks after they were placed: polling stops for
 * them, and the order's timeline says to contact the distributor. Answers how many were flagged.
 */
export async function flagOverduePurchaseOrders(ctx: Ctx, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - OVERDUE_AFTER_DAYS * 86_400_000);
  return ctx.db.transaction(async (tx) => {
    const flagged = await tx
      .update(submissions)
      .set({ overdueAt: now, updatedAt: now })
      .where(
        and(
          eq(submissions.dropship, true),
          inArray(submissions.state, ["pending", "submitting", "submitted"]),
          isNull(submissions.overdueAt),
          sql`${submissions.createdAt} < ${cutoff.toISOString()}::timestamptz`,
          sql`exists (select 1 from line_item li
                where li.order_id = ${submissions.orderId} and li.delivery_state = 'pending'
                  and li.id::text in (select jsonb_array_elements_text(${submissions.lineIds})))`,
        ),
      )
      .returning();
    for (const po of flagged) await purchaseOrderOverdue(tx, ctx.jobs, po, now);
    return flagged.length;
  });
}

/**
 * The one place a purchase order becomes Overdue: the timeline tells the owner, and a Shopify shop's
 * Flow hears "Purchase order overdue" once (keyed by the purchase order, so a re-run sends nothing).
 */
async function purchaseOrderOverdue(
  tx: Tx,
  jobs: Ctx["jobs"],
  po: typeof submissions.$inferSelect,
  now: Date,
): Promise<void> {
  const [distributor] = await tx
    .select({ name: providers.name })
    .from(providers)
    .where(eq(providers.id, po.providerId));
  await addTimelineEntry(tx, {
    shopId: po.shopId,
    orderId: po.orderId,
    actor: "system",
    action: "purchase_order_overdue",
    message: `Purchase order ${po.poNumber} is overdue: ${distributor?.name ?? "The distributor"} has not shipped it ${OVERDUE_AFTER_DAYS / 7} weeks after it was placed, so it is no longer checked for tracking. Contact the distributor about it.`,
    data: { submissionId: po.id },
  });
  const daysSincePlaced = Math.floor((now.getTime() - po.createdAt.getTime()) / 86_400_000);
  await queueFlowTrigger(
    tx,
    jobs,
    po.shopId,
    "purchase_order_overdue",
    {
      orderId: po.orderId,
      providerId: po.providerId,
      poNumber: po.poNumber,
      daysOverdue: Math.max(0, daysSincePlaced - OVERDUE_AFTER_DAYS),
    },
    `submission:${po.id}:overdue`,
  );
}
